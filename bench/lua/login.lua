-- POST /api/v1/auth/login with the learner's correct password (LEARNER_EMAIL,
-- LEARNER_PASSWORD). Each request is one argon2id verification plus new tokens.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = "/api/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}', os.getenv("LEARNER_EMAIL"), os.getenv("LEARNER_PASSWORD"))
