"""Times the progress GET right after the learner's own write, when the learner memo
cannot answer and the figures (marks, quiz accuracy, due cards and the verified
evidence over the learner's whole history) are computed afresh: the cost the memo
hides from every other read. Sequential, one request at a time, so it measures the
work rather than queueing.

Usage: cold_progress.py BASE_URL TOKEN QUESTION_IDS(comma-separated) SAMPLES
Prints one JSON object: {"samples", "p50_ms", "p95_ms", "max_ms"}.
"""

import json
import sys
import time

from http_client import Client


def main():
    base, token, ids, samples = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    api = Client(base, token)
    api.get("/api/v1/me/tracks/python/progress")  # warm the connection and the content cache
    timings = []
    for i in range(samples):
        # Each question goes to learning and back to got_it: every PUT changes a mark,
        # so every GET after it misses the memo.
        status = ("learning", "got_it")[i % 2]
        api.put(f"/api/v1/me/questions/{ids[(i // 2) % len(ids)]}/status", {"status": status})
        started = time.perf_counter()
        api.get("/api/v1/me/tracks/python/progress")
        timings.append((time.perf_counter() - started) * 1000)
    api.close()
    timings.sort()

    def at(share):
        return round(timings[min(len(timings) - 1, int(share * len(timings)))], 2)

    print(json.dumps({"samples": len(timings), "p50_ms": at(0.5), "p95_ms": at(0.95), "max_ms": round(timings[-1], 2)}))


if __name__ == "__main__":
    main()
