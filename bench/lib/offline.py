"""The offline-sync figures: a phone's study uploaded as 500-event batches by a learner
of its own (signed up here, so the main learner's state and the other runs are not
disturbed), the change feed of that learner afterwards, and the track bundle's size
per coding.

Sequential, one request at a time, so the timings measure the work, not queueing.
Each batch mixes what a learner does on a train: reviews (most of them), question
marks and notes, in time order. Every batch is new work (fresh review ids, later
times), none a retry.

Usage: offline.py BASE_URL SERVER_LOG QUESTION_IDS CARD_IDS BATCHES
Prints one JSON object: {"sync": {...}, "feed": {...}, "bundle": {...}, "end_cursor",
"token"} (the offline learner's access token, for the feed runs).
"""

import datetime
import http.client
import json
import random
import sys
import time
import urllib.parse
import uuid

from http_client import Client
from setup_state import register

BATCH = 500


def stamp(moment):
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def batch(rng, questions, cards, start, step):
    """500 events in time order from `start`, `step` apart."""
    events = []
    for i in range(BATCH):
        at = stamp(start + i * step)
        roll = rng.random()
        if roll < 0.6:
            events.append({"type": "review", "review_id": str(uuid.uuid4()), "flashcard_id": rng.choice(cards),
                           "rating": rng.choice(["again", "hard", "good", "good", "easy"]), "reviewed_at": at})
        elif roll < 0.9:
            events.append({"type": "question_mark", "question_id": rng.choice(questions),
                           "status": rng.choice(["got_it", "learning"]), "marked_at": at})
        else:
            events.append({"type": "note", "kind": "question", "id": rng.choice(questions),
                           "body": f"Revise this on the way home ({i}).", "updated_at": at})
    return events


def percentile(values, share):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def bundle_sizes(base):
    url = urllib.parse.urlsplit(base)
    sizes = {}
    for coding in ("identity", "gzip", "br"):
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
        conn.request("GET", "/api/v1/tracks/python/bundle", headers={"accept-encoding": coding})
        resp = conn.getresponse()
        body = resp.read()
        sent = resp.getheader("content-encoding") or "identity"
        conn.close()
        if resp.status != 200 or sent != coding:
            raise RuntimeError(f"bundle as {coding}: {resp.status}, sent as {sent}")
        sizes[f"{coding}_bytes"] = len(body)
    return sizes


def main():
    base, server_log, questions, cards, batches = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(","), int(sys.argv[5])
    rng = random.Random(7)
    _, _, token, _ = register(base, server_log)
    # Nothing may predate the account: the batches are stamped from its creation on,
    # oldest first, each batch's events a few milliseconds apart, the last one a moment
    # ago.
    time.sleep(3.0)
    step = datetime.timedelta(milliseconds=0.25)
    now = datetime.datetime.now(datetime.timezone.utc)
    first = now - batches * BATCH * step - datetime.timedelta(milliseconds=100)
    api = Client(base, token, timeout=120)
    timings, statuses = [], {}
    for b in range(batches):
        events = batch(rng, questions, cards, first + b * BATCH * step, step)
        started = time.perf_counter()
        answer = api.post("/api/v1/me/sync", {"events": events})
        timings.append((time.perf_counter() - started) * 1000)
        for result in answer["results"]:
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    sync = {"batches": batches, "events": batches * BATCH, "p50_ms": percentile(timings, 0.5),
            "p99_ms": percentile(timings, 0.99), "max_ms": round(max(timings), 1), "statuses": statuses}

    # The whole feed from the start, page by page.
    started = time.perf_counter()
    cursor, changes, pages = None, 0, 0
    while True:
        page = api.get("/api/v1/me/changes" + (f"?since={cursor}" if cursor else ""))
        changes += len(page["changes"])
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    feed = {"changes": changes, "pages": pages, "walk_ms": round((time.perf_counter() - started) * 1000, 1)}
    api.close()
    print(json.dumps({"sync": sync, "feed": feed, "bundle": bundle_sizes(base), "end_cursor": cursor, "token": token}))


if __name__ == "__main__":
    main()
