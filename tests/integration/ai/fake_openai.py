#!/usr/bin/env python3
"""An OpenAI-compatible chat completion API on loopback, for tests.

POST .../chat/completions answers with the next scripted reply (then the
default one) and records the request; POST /control {"replies": [...],
"default": {...}} scripts it and forgets the recorded requests; GET
/requests lists them ({path, authorization, body}). A reply is
{"content": str} (a completion with usage 11/7), {"status": int,
"body": any, "headers": {...}}, and either may add "delay_ms" (a stall).
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"replies": [], "default": {"content": "{}"}, "requests": []}


def completion(content):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7,
                  "total_tokens": 18},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One segment per answer, sent at once: without these, headers and body
    # leave in two writes and Nagle's algorithm meets the client's delayed
    # ACK, adding ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/requests":
            with LOCK:
                self.send(200, STATE["requests"])
        else:
            self.send(404, {"error": {"message": "no such path"}})

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/control":
            script = json.loads(raw or b"{}")
            with LOCK:
                STATE["replies"] = list(script.get("replies", []))
                STATE["default"] = script.get("default", {"content": "{}"})
                STATE["requests"] = []
            self.send(200, {"ok": True})
            return
        if not self.path.endswith("/chat/completions"):
            self.send(404, {"error": {"message": "no such path"}})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        with LOCK:
            STATE["requests"].append({
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "body": body,
            })
            reply = (STATE["replies"].pop(0) if STATE["replies"]
                     else STATE["default"])
        if reply.get("delay_ms"):
            time.sleep(reply["delay_ms"] / 1000.0)
        if "content" in reply:
            self.send(200, completion(reply["content"]))
        else:
            body = reply.get("body", {"error": {"message": "scripted"}})
            if isinstance(body, str):
                body = body.encode()
            self.send(reply.get("status", 500), body, reply.get("headers"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
