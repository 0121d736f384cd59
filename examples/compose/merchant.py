"""A stand-in merchant backend for docker-compose.yml: receives the sandbox's postLink and
failurePostLink callbacks, logs each one, and lists what it received.

    POST /callbacks/epay   a callback from the sandbox (any JSON): logged, answered 200
    GET  /callbacks        every callback received so far, as a JSON array
    GET  /health           200 "ok"

Standard library only, so any python3 image runs it: python3 merchant.py [--port 8000]
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECEIVED = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/callbacks/epay":
            return self._send(404, '{"error": "not found"}')
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", errors="replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsed": raw}
        with LOCK:
            RECEIVED.append(body)
        print(f"callback: invoiceId={body.get('invoiceId')} code={body.get('code')} "
              f"reason={body.get('reason')} body={raw}", flush=True)
        self._send(200, '{"ok": true}')

    def do_GET(self):
        if self.path == "/callbacks":
            with LOCK:
                return self._send(200, json.dumps(RECEIVED, ensure_ascii=False))
        if self.path == "/health":
            return self._send(200, "ok", "text/plain")
        self._send(404, '{"error": "not found"}')

    def log_message(self, format, *args):
        sys.stderr.write("merchant: " + format % args + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"merchant: listening on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
