#!/usr/bin/env python3
"""A webhook receiver for cdpd's webhook tests and benchmark.

Verifies every POST the Standard Webhooks way with Python's own hmac, so
cdpd's signing is checked by an independent implementation: the signature
header holds "v1,<base64 HMAC-SHA256 of 'id.timestamp.body'>" keyed with the
base64-decoded part of the endpoint's "whsec_" secret, and the timestamp
must be within --tolerance seconds of now. A request that fails either
check is answered 401.

Secrets are read from --secrets, lines "<path> <secret>", read again on
every request (the test writes it once it has created its endpoints).
Each arrival on a path listed with --fail-paths is answered 500; the others
are decided by a hash of (seed, webhook-id, arrival number), so a run is
reproducible:

  * with probability --fail it answers 500;
  * with probability --stall it accepts, then stalls --stall-seconds before
    answering (the sender has timed out by then and will send it again);
  * otherwise it accepts and answers 200.

--delay makes every accepted request take that long.
--status PATH=CODE answers CODE (with a Location header for 3xx) on PATH.
Every arrival is journalled as one line
"<event> <path> <webhook-id> <timestamp> <received-at> <signature>"
(events: deliver, fail, stall, bad, status, overlap when a request for a
path arrives while another for it is being answered), flushed at once.
"""
import argparse
import base64
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--secrets", required=True)
    parser.add_argument("--fail", type=float, default=0.0)
    parser.add_argument("--stall", type=float, default=0.0)
    parser.add_argument("--stall-seconds", type=float, default=2.0)
    parser.add_argument("--tolerance", type=float, default=300.0)
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds every accepted request takes")
    parser.add_argument("--fail-paths", default="")
    parser.add_argument("--status", action="append", default=[])
    parser.add_argument("--seed", default="1")
    args = parser.parse_args()

    fail_paths = set(p for p in args.fail_paths.split(",") if p)
    statuses = dict(s.split("=", 1) for s in args.status)
    lock = threading.Lock()
    arrivals = {}
    busy = {}
    journal = open(args.journal, "a", encoding="utf-8")

    def record(event, path, wid, ts, sig):
        with lock:
            journal.write(f"{event} {path} {wid} {ts} {time.time():.6f} "
                          f"{sig.replace(' ', '_') or '-'}\n")
            journal.flush()

    def secret_for(path):
        try:
            with open(args.secrets, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == path:
                        return parts[1]
        except FileNotFoundError:
            pass
        return None

    def verify(secret, wid, ts, body, header):
        if secret is None or not secret.startswith("whsec_"):
            return "no secret"
        try:
            stamp = int(ts)
        except ValueError:
            return "bad timestamp"
        if abs(time.time() - stamp) > args.tolerance:
            return "stale timestamp"
        key = base64.b64decode(secret[len("whsec_"):])
        signed = wid.encode() + b"." + ts.encode() + b"." + body
        expected = base64.b64encode(
            hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for item in header.split(" "):
            version, _, value = item.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                return None
        return "bad signature"

    def draw(wid, n):
        digest = hashlib.sha256(f"{args.seed}:{wid}:{n}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2.0**64

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *unused):
            pass

        def release(self):
            # Before the answer goes out: the sender may send the next
            # request as soon as it has read it.
            if not self.released:
                self.released = True
                with lock:
                    busy[self.path] -= 1

        def answer(self, status, text, extra=()):
            self.release()
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            path = self.path
            wid = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "")
            sig = self.headers.get("webhook-signature", "")
            self.released = False
            with lock:
                overlap = busy.get(path, 0) > 0
                busy[path] = busy.get(path, 0) + 1
                n = arrivals.get(wid, 0)
                arrivals[wid] = n + 1
            try:
                if overlap:
                    record("overlap", path, wid, ts, sig)
                why = verify(secret_for(path), wid, ts, body, sig)
                if why is not None:
                    record("bad", path, wid, ts, sig)
                    self.answer(401, why)
                    return
                if path in statuses:
                    code = int(statuses[path])
                    record("status", path, wid, ts, sig)
                    extra = [("Location", "/followed")] \
                        if 300 <= code < 400 else []
                    self.answer(code, f"status {code} as asked", extra)
                    return
                if path in fail_paths or draw(wid, n) < args.fail:
                    record("fail", path, wid, ts, sig)
                    self.answer(500, "injected failure")
                    return
                if draw(wid, n + 1000) < args.stall:
                    record("stall", path, wid, ts, sig)
                    # The sender gives up on this one and may send it
                    # again meanwhile: that is no overlap.
                    self.release()
                    time.sleep(args.stall_seconds)
                    self.answer(200, "late")
                    return
                if args.delay > 0:
                    time.sleep(args.delay)
                record("deliver", path, wid, ts, sig)
                self.answer(200, "ok")
            finally:
                self.release()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
