#!/usr/bin/env bash
# Measures the per-user paths on a fully seeded database with a learner who has every
# Python question marked: progress GET, review POST, 50-item quiz creation, and the
# admin import of the whole Python track (dry run and real).
# Usage: bench/user-paths.sh   (needs target/release/studytrack, wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
port=18090
db="studytrack_bench_$$"
base="http://127.0.0.1:$port"
export DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/$db"
export STUDYTRACK_ENV=development STUDYTRACK_BIND="127.0.0.1:$port" STUDYTRACK_LOG_FORMAT=json RUST_LOG=warn
export STUDYTRACK_REGISTRATIONS_PER_ADDRESS=100000
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

target/release/studytrack serve >/tmp/studytrack-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
until curl -fs -o /dev/null "$base/health/ready"; do sleep 0.1; done

token=$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password-42","display_name":"Bench"}' | json 'd["access_token"]')
ids=$(curl -fsS "$base/api/v1/questions?track=python&limit=100" | json '" ".join(q["id"] for q in d["items"])')
cursor=$(curl -fsS "$base/api/v1/questions?track=python&limit=100" | json 'd["next_cursor"] or ""')
while [ -n "$cursor" ]; do
    page=$(curl -fsS "$base/api/v1/questions?track=python&limit=100&cursor=$cursor")
    ids="$ids $(echo "$page" | json '" ".join(q["id"] for q in d["items"])')"
    cursor=$(echo "$page" | json 'd["next_cursor"] or ""')
done
n=0
for id in $ids; do
    curl -fsS -o /dev/null -X PUT "$base/api/v1/me/questions/$id/status" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"status":"got_it"}'
    n=$((n + 1))
done
echo "marked $n Python questions got_it"
card=$(curl -fsS "$base/api/v1/tracks/python/topics/fundamentals/flashcards" | json 'd["items"][0]["id"]')

export TOKEN="$token" CARD="$card"
echo "== GET /me/tracks/python/progress (c32, 10 s)"
wrk -t2 -c32 -d10s --latency -s bench/lua/get.lua "$base/api/v1/me/tracks/python/progress" | grep -E "Requests/sec|  50%|  99%|Non-2xx"
echo "== POST /me/reviews (c32, 10 s)"
wrk -t2 -c32 -d10s --latency -s bench/lua/review.lua "$base" | grep -E "Requests/sec|  50%|  99%|Non-2xx"
echo "== POST /me/quizzes, 50 items (c8, 10 s)"
BODY='{"scope":{"track":"python"},"size":50,"mode":"practice"}' PATH_=/api/v1/me/quizzes \
    wrk -t2 -c8 -d10s --latency -s bench/lua/post.lua "$base" | grep -E "Requests/sec|  50%|  99%|Non-2xx"

admin_pw="admin-password-$$"
echo "$admin_pw" | target/release/studytrack admin create --email admin@example.com >/dev/null
admin=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@example.com\",\"password\":\"$admin_pw\"}" | json 'd["access_token"]')
curl -fsS "$base/api/v1/admin/export/python" -H "authorization: Bearer $admin" -o /tmp/python-bundle.json
echo "== admin import of the full Python track ($(wc -c </tmp/python-bundle.json) bytes)"
for mode in true false; do
    curl -fsS -o /dev/null -w "dry_run=$mode: %{time_total} s\n" -X POST "$base/api/v1/admin/import?dry_run=$mode" \
        -H "authorization: Bearer $admin" -H 'content-type: application/json' --data-binary @/tmp/python-bundle.json
done
