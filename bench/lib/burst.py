"""Login bursts: BURST concurrent logins released at the same instant, again and again
until DURATION seconds have passed (the caller measures a cheap read meanwhile, so
the read sees the login queue full the whole time, not a burst that drained early).

Each login opens its own connection, as 100 different devices would.
Prints one JSON line: bursts, logins, failures, and login latency p50/p99/max in ms.

Usage: burst.py BASE_URL EMAIL PASSWORD DURATION_SECS [BURST]
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse


def login(host, port, body, barrier, results, index):
    barrier.wait()
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request("POST", "/api/v1/auth/login", body=body, headers={"content-type": "application/json"})
        status = conn.getresponse().status
        conn.close()
    except (OSError, http.client.HTTPException):
        status = 0
    results[index] = (status, time.monotonic() - started)


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def main():
    base, email, password, duration = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    size = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    url = urllib.parse.urlsplit(base)
    body = json.dumps({"email": email, "password": password})
    deadline = time.monotonic() + duration
    outcomes, bursts = [], 0
    while bursts == 0 or time.monotonic() < deadline:
        results = [None] * size
        barrier = threading.Barrier(size)
        threads = [
            threading.Thread(target=login, args=(url.hostname, url.port, body, barrier, results, i))
            for i in range(size)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes += results
        bursts += 1
    latencies = sorted(seconds * 1000 for _, seconds in outcomes)
    print(
        json.dumps(
            {
                "bursts": bursts,
                "logins": len(outcomes),
                "failures": sum(1 for status, _ in outcomes if status != 200),
                "p50_ms": round(percentile(latencies, 50), 1),
                "p99_ms": round(percentile(latencies, 99), 1),
                "max_ms": round(latencies[-1], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
