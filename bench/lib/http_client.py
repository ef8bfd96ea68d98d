"""A tiny keep-alive JSON client over http.client, shared by the bench helpers.

Standard library only, so the harness needs nothing beyond python3 on the machine.
"""

import http.client
import json
import urllib.parse


class ApiError(RuntimeError):
    """A response with an unexpected status; the message carries the body for the log."""


class Client:
    def __init__(self, base_url, token=None, timeout=30):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self.token = token
        self.timeout = timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(self, method, path, body=None, expect=(200,)):
        """Sends one request and returns (status, parsed JSON or None)."""
        headers = {"accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.HTTPException, OSError):
                # The server may close an idle keep-alive connection; reconnect once.
                self.close()
                if attempt == 2:
                    raise
        parsed = json.loads(raw) if raw else None
        if expect and resp.status not in expect:
            raise ApiError(f"{method} {path} -> {resp.status}: {raw[:500]!r}")
        return resp.status, parsed

    def get(self, path, **kw):
        return self.request("GET", path, **kw)[1]

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)[1]

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)[1]

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
