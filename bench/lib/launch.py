"""Starts the server and times it from exec to the first 200 on /health/ready.

Timing from inside one process (spawn, then poll every 2 ms) keeps the clock honest:
a shell loop of curl calls would add tens of milliseconds of its own.
The server keeps running after this helper exits; its PID and the time are printed
as "PID MILLISECONDS". The environment (DATABASE_URL, STUDYTRACK_*) is inherited.

Usage: launch.py BINARY BASE_URL LOG_FILE
"""

import http.client
import subprocess
import sys
import time
import urllib.parse

TIMEOUT_SECS = 120


def ready(host, port):
    try:
        conn = http.client.HTTPConnection(host, port, timeout=1)
        conn.request("GET", "/health/ready")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def main():
    binary, base, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
    url = urllib.parse.urlsplit(base)
    log = open(log_path, "ab")
    started = time.monotonic()
    # A session of its own: Ctrl-C on the harness reaches the harness (whose exit trap
    # stops the server and drops the database), not the server in mid-measurement.
    server = subprocess.Popen(
        [binary, "serve"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    while not ready(url.hostname, url.port):
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode} before it was ready; see {log_path}")
        if time.monotonic() - started > TIMEOUT_SECS:
            server.kill()
            sys.exit(f"the server was not ready after {TIMEOUT_SECS} s; see {log_path}")
        time.sleep(0.002)
    print(server.pid, round((time.monotonic() - started) * 1000, 1))


if __name__ == "__main__":
    main()
