"""Creates the benchmark learner through the public API and writes what the load
scripts need as shell assignments.

The learner looks like a real, well-advanced user, because the per-user paths cost
what the learner's history makes them cost:
  * every Python question marked `got_it` (the progress GET then fills every topic);
  * a few submitted quizzes (quiz accuracy and overconfidence feed progress);
  * a flashcard review history (the caller ages it afterwards so cards fall due);
  * a goal on the Python track three weeks out (45 minutes a day), for the agenda.

Usage: setup_state.py BASE_URL OUT_ENV_FILE SERVER_LOG
"""

import datetime
import json
import re
import secrets
import shlex
import sys
import time
import urllib.parse
import uuid

from http_client import Client

QUIZZES = 4
QUIZ_SIZE = 20
REVIEWED_CARDS = 120
RATINGS = ("again", "hard", "good", "easy")


def mailed_token(server_log, email, within=20.0):
    """The sign-up link's token, from the mail the server wrote to its log (the
    benchmark runs it without an SMTP server, as `scripts/run` does)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with open(server_log, encoding="utf-8", errors="replace") as log:
            for line in log:
                if email in line:
                    found = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", line)
                    if found:
                        return found.group(1)
        time.sleep(0.05)
    raise SystemExit(f"no sign-up link for {email} in {server_log} within {within} s")


def register(base, server_log):
    run = secrets.token_hex(4)
    email = f"bench-learner-{run}@example.com"
    password = f"Bench-{secrets.token_urlsafe(12)}"
    body = {"email": email, "password": password, "display_name": "Bench Learner"}
    Client(base).post("/api/v1/auth/register", body, expect=(202,))
    token = mailed_token(server_log, email)
    tokens = Client(base).post("/api/v1/auth/register/confirm", {"token": token}, expect=(201,))
    return email, password, tokens["access_token"], tokens["account"]["id"]


def python_question_ids(api):
    """Every live Python question, following the cursor."""
    ids, cursor = [], ""
    while True:
        query = {"track": "python", "limit": 100}
        if cursor:
            query["cursor"] = cursor
        page = api.get("/api/v1/questions?" + urllib.parse.urlencode(query))
        ids += [q["id"] for q in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def python_flashcard_ids(api):
    """Every flashcard of every topic on the Python roadmap, in roadmap order."""
    roadmap = api.get("/api/v1/tracks/python")
    ids = []
    for stage in roadmap["stages"]:
        for topic in stage["topics"]:
            cards = api.get(f"/api/v1/tracks/python/topics/{topic['slug']}/flashcards")
            ids += [c["id"] for c in cards["items"]]
    return ids


def take_quizzes(api):
    """Creates and submits a few quizzes; always picking option 0 gets some right, some wrong."""
    for _ in range(QUIZZES):
        attempt = api.post(
            "/api/v1/me/quizzes",
            {"scope": {"track": "python"}, "size": QUIZ_SIZE, "mode": "practice"},
            expect=(201,),
        )
        answers = [{"position": item["position"], "selected": [0]} for item in attempt["items"]]
        api.post(f"/api/v1/me/quizzes/{attempt['id']}/submission", {"answers": answers})


def review_cards(api, card_ids):
    """Reviews the first cards with a spread of ratings; returns one response body."""
    sample = None
    for i, card in enumerate(card_ids[:REVIEWED_CARDS]):
        body = {"review_id": str(uuid.uuid4()), "flashcard_id": card, "rating": RATINGS[i % len(RATINGS)]}
        sample = api.post("/api/v1/me/reviews", body)
    return sample


def main():
    base, out, server_log = sys.argv[1], sys.argv[2], sys.argv[3]
    email, password, token, user_id = register(base, server_log)
    api = Client(base, token)
    questions = python_question_ids(api)
    for qid in questions:
        api.put(f"/api/v1/me/questions/{qid}/status", {"status": "got_it"})
    cards = python_flashcard_ids(api)
    take_quizzes(api)
    sample = review_cards(api, cards)
    # A goal three weeks out, so the agenda has a budget and a plan to fit.
    interview = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    api.put("/api/v1/me/goals", {"track": "python", "interview_date": interview, "minutes_per_day": 45, "days": days})
    api.close()
    values = {
        "LEARNER_EMAIL": email,
        "LEARNER_PASSWORD": password,
        "TOKEN": token,
        "USER_ID": user_id,
        "QUESTION_IDS": ",".join(questions),
        "QUESTION_COUNT": str(len(questions)),
        "QUESTION_ID": questions[len(questions) // 2],
        "CARD_IDS": ",".join(cards),
        "CARD_COUNT": str(len(cards)),
        "REVIEW_SAMPLE": json.dumps(sample, separators=(",", ":")),
    }
    with open(out, "w") as f:
        for key, value in values.items():
            f.write(f"{key}={shlex.quote(value)}\n")
    print(
        f"all {len(questions)} Python questions marked got_it, {QUIZZES} quizzes of {QUIZ_SIZE} items submitted, "
        f"{min(REVIEWED_CARDS, len(cards))} of the {len(cards)} Python flashcards reviewed"
    )


if __name__ == "__main__":
    main()
