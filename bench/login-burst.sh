#!/usr/bin/env bash
# Measures what a burst of concurrent logins does to the latency of a cheap read.
# Usage: bench/login-burst.sh [BASE_URL] [CONCURRENT_LOGINS]
# Needs a running server (release build) and `wrk` (apt-get install wrk) and curl.
# Prints GET /api/v1/tracks latency (wrk, 4 connections, 10 s) idle and during the
# burst, plus the time of one argon2id hash as seen by a single login.
set -euo pipefail
base="${1:-http://127.0.0.1:8080}"
burst="${2:-50}"
email="bench-$(date +%s%N)@example.com"
password="bench-password-$(date +%s)"

curl -fsS -o /dev/null -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Bench\"}"
login() {
    curl -fsS -o /dev/null -w '%{time_total}\n' -X POST "$base/api/v1/auth/login" \
        -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}"
}
export -f login
export base email password

echo "single login (one argon2id verify + token issue), 5 runs, seconds:"
for _ in 1 2 3 4 5; do login; done

echo "== GET /api/v1/tracks, idle"
wrk -t2 -c4 -d10s --latency "$base/api/v1/tracks" | grep -E "Requests/sec|  50%|  99%"

echo "== GET /api/v1/tracks during $burst concurrent logins (repeated for 10 s)"
(
    end=$((SECONDS + 10))
    while [ $SECONDS -lt $end ]; do
        seq "$burst" | xargs -P "$burst" -I{} bash -c login >/dev/null
    done
) &
burst_pid=$!
wrk -t2 -c4 -d10s --latency "$base/api/v1/tracks" | grep -E "Requests/sec|  50%|  99%"
wait "$burst_pid"
