"""Times the admin import of the whole Python track, as an admin script would run it:
export the track (GET /admin/export/python), then import that bundle back with
?dry_run=true and for real (nothing changes, so this is the cost of validating and
diffing every entry). Prints one JSON line: bundle bytes and both times in ms.

Usage: admin_import.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
"""

import http.client
import json
import sys
import time
import urllib.parse

from http_client import Client


def timed_import(base, token, bundle, dry_run):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    started = time.monotonic()
    conn.request("POST", f"/api/v1/admin/import?dry_run={'true' if dry_run else 'false'}", body=bundle, headers=headers)
    resp = conn.getresponse()
    resp.read()
    elapsed = (time.monotonic() - started) * 1000
    conn.close()
    if resp.status != 200:
        sys.exit(f"import (dry_run={dry_run}) answered {resp.status}")
    return round(elapsed, 1)


def main():
    base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
    token = Client(base).post("/api/v1/auth/login", {"email": email, "password": password})["access_token"]
    bundle = json.dumps(Client(base, token).get("/api/v1/admin/export/python")).encode()
    dry = timed_import(base, token, bundle, True)
    real = timed_import(base, token, bundle, False)
    print(json.dumps({"bytes": len(bundle), "dry_run_ms": dry, "real_ms": real}))


if __name__ == "__main__":
    main()
