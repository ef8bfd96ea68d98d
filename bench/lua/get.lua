-- GET the URL given to wrk; with TOKEN set, as that learner. The request is built
-- once (no request() function), so wrk adds no per-request Lua cost to the ceiling.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.headers = auth_headers(wrk.headers)
