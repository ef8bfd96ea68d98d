"""Helpers for scripts/fuzz-api: set up the accounts and data the fuzz runs use, and
summarise Schemathesis' JSON reports into the numbers the script prints.

Standard library only, so it runs before (and outside) the fuzzing virtual environment.

    fuzz.py register BASE EMAIL PASSWORD LOG   -> signs up, follows the link the server
                                                  logged, prints an access token
    fuzz.py login BASE EMAIL PASSWORD          -> prints an access token
    fuzz.py question BASE                      -> prints a live question id
    fuzz.py flashcard BASE                     -> prints a live flashcard id
    fuzz.py quiz BASE TOKEN                    -> prints the id of a new quiz attempt
    fuzz.py summary NAME=REPORT.json ...       -> prints a table; exit 1 on any failure
"""

import json
import re
import sys
import time
import urllib.error
import urllib.request


def call(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.load(res)
    except urllib.error.HTTPError as err:
        sys.exit(f"{method} {url}: {err.code} {err.read().decode(errors='replace')}")


def mailed_token(log, email, within=20.0):
    """The newest sign-up link's token logged after a mail to `email` (the server runs
    without an SMTP server here, so its mailer writes each mail to the log)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        at = text.rfind(email)
        found = re.findall(r"verify-email\?token=([A-Za-z0-9_-]+)", text[at:]) if at >= 0 else []
        if found:
            return found[0]
        time.sleep(0.05)
    sys.exit(f"no sign-up link for {email} in {log} within {within} s")


def register(base, email, password, log):
    body = {"email": email, "password": password, "display_name": email.split("@")[0]}
    call("POST", f"{base}/api/v1/auth/register", body)
    token = mailed_token(log, email)
    print(call("POST", f"{base}/api/v1/auth/register/confirm", {"token": token})["access_token"])


def login(base, email, password):
    print(call("POST", f"{base}/api/v1/auth/login", {"email": email, "password": password})["access_token"])


def question(base):
    print(call("GET", f"{base}/api/v1/questions?limit=1")["items"][0]["id"])


def flashcard(base):
    roadmap = call("GET", f"{base}/api/v1/tracks/python")
    topic = roadmap["stages"][0]["topics"][0]["slug"]
    print(call("GET", f"{base}/api/v1/tracks/python/topics/{topic}/flashcards")["items"][0]["id"])


def quiz(base, token):
    body = {"scope": {"track": "python"}, "size": 5, "mode": "practice"}
    print(call("POST", f"{base}/api/v1/me/quizzes", body, token)["id"])


def summary(pairs):
    """One row per run: operations tested, cases generated, failures, errors."""
    totals = {"operations": 0, "cases": 0, "failures": 0, "failed_cases": 0, "errors": 0}
    print(f"{'run':<12} {'operations':>10} {'cases':>7} {'failures':>9} {'errors':>7} {'seconds':>8}")
    for pair in pairs:
        name, path = pair.split("=", 1)
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError) as err:
            print(f"{name:<12} no report ({err})")
            totals["errors"] += 1
            continue
        ops = report["operations"]["tested"]
        cases = report["test_cases"]["generated"]
        failures = report["test_cases"]["unique_failures"]
        errors = report["test_cases"]["errored"] + report["operations"]["errored"] + len(report.get("errors", []))
        seconds = report.get("running_time", 0.0)
        print(f"{name:<12} {ops:>10} {cases:>7} {failures:>9} {errors:>7} {seconds:>8.1f}")
        for failure in report.get("failures", []):
            print(f"  {failure['code']} {failure['title']}: {', '.join(failure['operations'])}")
        totals["operations"] += ops
        totals["cases"] += cases
        totals["failures"] += failures
        totals["failed_cases"] += report["test_cases"]["with_failures"]
        totals["errors"] += errors
    print(
        f"{'total':<12} {totals['operations']:>10} {totals['cases']:>7} {totals['failures']:>9} {totals['errors']:>7}"
    )
    failed = totals["failed_cases"] + totals["errors"]
    # The plain closing line CI reads: generated cases that met every check, and those
    # that did not (or could not run).
    print(f"fuzz-api: {totals['cases'] - totals['failed_cases']} passed, {failed} failed")
    return 1 if failed or totals["failures"] else 0


def main(argv):
    commands = {"register": register, "login": login, "question": question, "flashcard": flashcard, "quiz": quiz}
    if len(argv) >= 2 and argv[1] == "summary":
        return summary(argv[2:])
    if len(argv) >= 2 and argv[1] in commands:
        commands[argv[1]](*argv[2:])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
