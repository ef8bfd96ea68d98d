"""Keeps the learner's scheduler optimization running back to back for a while, so
content reads can be measured while a fit uses its core: starts a job, polls it to
the end, starts the next. Stops after SECONDS.

Usage: optimize_loop.py BASE_URL TOKEN SECONDS
Prints one JSON object: {"jobs", "failed", "busy_ms", "last_error"} (busy_ms: summed
job run time).
"""

import json
import sys
import time
from datetime import datetime

from http_client import Client


def parse(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def main():
    base, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    api = Client(base, token)
    deadline = time.monotonic() + seconds
    jobs = failed = 0
    busy_ms = 0.0
    last_error = None
    while time.monotonic() < deadline:
        status, job = api.request("POST", "/api/v1/me/scheduler/optimize", expect=(202, 409))
        if status == 409:
            time.sleep(0.05)
            continue
        while True:
            job = api.get(job["url"])
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.02)
        jobs += 1
        failed += job["status"] == "failed"
        last_error = job.get("error") or last_error
        if job.get("started_at") and job.get("finished_at"):
            busy_ms += (parse(job["finished_at"]) - parse(job["started_at"])).total_seconds() * 1000
    api.close()
    print(json.dumps({"jobs": jobs, "failed": failed, "busy_ms": round(busy_ms), "last_error": last_error}))


if __name__ == "__main__":
    main()
