-- GET the URL given to wrk; with TOKEN set, as that learner. The request is built
-- once (no request() function), so wrk adds no per-request Lua cost to the ceiling.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.headers = auth_headers(wrk.headers)
-- ACCEPT_ENCODING set: ask for a compressed body (the bundle run measures it both ways).
local coding = os.getenv("ACCEPT_ENCODING")
if coding and coding ~= "" then wrk.headers["Accept-Encoding"] = coding end
