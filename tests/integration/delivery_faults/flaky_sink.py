#!/usr/bin/env python3
"""An email API for cdpd's delivery fault tests and throughput benchmark.

Takes SendGrid-style POSTs (any path) and behaves like a provider that
honours the Idempotency-Key header: a key it has delivered once is answered
200 again without delivering a second time. Each arrival is decided by a
hash of (seed, key, arrival number), so a run is reproducible:

  * with probability --fail it answers 500 and delivers nothing;
  * with probability --slow it delivers, then stalls --slow-seconds before
    answering (the client has timed out by then: the worst case, a message
    that went out but whose sender never heard so);
  * otherwise it delivers and answers 202.

Every event is appended to --journal as one line "<event> <key> <to>
<message-id>" (events: deliver, dup, fail, and stall after a deliver whose
answer is held back), flushed at once, so a test can
read it while the sink runs and after it was stopped. A restarted sink reads
its journal back and keeps deduplicating.
"""
import argparse
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--fail", type=float, default=0.0)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds every delivery takes")
    parser.add_argument("--seed", default="1")
    args = parser.parse_args()

    lock = threading.Lock()
    delivered = set()
    arrivals = {}
    try:
        with open(args.journal, encoding="utf-8") as old:
            for line in old:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "deliver":
                    delivered.add(parts[1])
    except FileNotFoundError:
        pass
    journal = open(args.journal, "a", encoding="utf-8")

    def record(event, key, to, message_id):
        journal.write(f"{event} {key} {to} {message_id}\n")
        journal.flush()

    def draw(key, n):
        digest = hashlib.sha256(f"{args.seed}:{key}:{n}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2.0**64

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the second
        # waits for the client's delayed ACK (~40 ms per request).
        disable_nagle_algorithm = True

        def log_message(self, *unused):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Message-Id", body.get("id", "none"))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            try:
                mail = json.loads(self.rfile.read(length) or b"{}")
                to = mail["personalizations"][0]["to"][0]["email"]
                message_id = mail["headers"]["Message-ID"]
            except (ValueError, KeyError, IndexError, TypeError):
                self.answer(400, {"error": "not a send request"})
                return
            key = self.headers.get("Idempotency-Key", "")
            if not key:
                self.answer(400, {"error": "Idempotency-Key missing"})
                return
            with lock:
                n = arrivals.get(key, 0) + 1
                arrivals[key] = n
                u = draw(key, n)
                if key in delivered:
                    record("dup", key, to, message_id)
                    event = "dup"
                elif u < args.fail:
                    record("fail", key, to, message_id)
                    event = "fail"
                else:
                    delivered.add(key)
                    record("deliver", key, to, message_id)
                    event = "deliver"
            if event == "fail":
                self.answer(500, {"error": "injected failure"})
                return
            if args.delay:
                time.sleep(args.delay)
            if event == "deliver" and u < args.fail + args.slow:
                with lock:
                    record("stall", key, to, message_id)
                time.sleep(args.slow_seconds)
            self.answer(202, {"id": key})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
