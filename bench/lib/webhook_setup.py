"""Subscribes a local sink to `review.recorded` as an admin and turns on the learner's
consent, so every review the load makes queues one webhook delivery.

Usage: webhook_setup.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD LEARNER_TOKEN SINK_URL
Prints the endpoint's id.
"""

import sys

from http_client import Client


def main():
    base, email, password, learner, sink = sys.argv[1:6]
    token = Client(base).post("/api/v1/auth/login", {"email": email, "password": password})["access_token"]
    endpoint = Client(base, token).request(
        "POST", "/api/v1/admin/webhooks", {"url": sink, "events": ["review.recorded"], "description": "bench sink"},
        expect=(201,))[1]
    Client(base, learner).put("/api/v1/me/consent", {"share_learning_records": True})
    print(endpoint["id"])


if __name__ == "__main__":
    main()
