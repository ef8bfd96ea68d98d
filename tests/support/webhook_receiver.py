"""A webhook receiver for the tests: every call is verified with the published
`standardwebhooks` library (not our own code) and recorded, one JSON line per call.

Usage: webhook_receiver.py PORT DIR

DIR holds what the test controls and reads, re-read on every call:
  secrets    one `whsec_` secret per line; the call is checked against each
  mode       `ok` (204), `fail` (500) or `hang` (no answer for 30 s); default ok
  calls.jsonl  written here: {"id", "timestamp", "type", "verified": [bool per secret],
               "mode", "body"}
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

LOCK = threading.Lock()


def read(directory, name, default=""):
    try:
        with open(os.path.join(directory, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


class Handler(BaseHTTPRequestHandler):
    directory = "."

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified = []
        for secret in read(self.directory, "secrets").splitlines():
            try:
                Webhook(secret.strip()).verify(body, headers)
                verified.append(True)
            except WebhookVerificationError:
                verified.append(False)
        mode = read(self.directory, "mode", "ok")
        try:
            kind = json.loads(body).get("type")
        except ValueError:
            kind = None
        record = {"id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"), "type": kind,
                  "verified": verified, "mode": mode, "body": body.decode("utf-8", "replace")}
        with LOCK, open(os.path.join(self.directory, "calls.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        if mode == "hang":
            time.sleep(30)
            return
        self.send_response(204 if mode == "ok" else 500)
        self.send_header("content-length", "0")
        self.end_headers()


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    Handler.directory = directory
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
