-- PUT /api/v1/me/questions/{id}/status with a random question of QUESTION_IDS and a
-- random status, so most requests really change a row (see bench/pgbench/progress_put.sql).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local statuses = { "new", "learning", "got_it" }
local ids

function init(args)
  seed_random()
  ids = split(os.getenv("QUESTION_IDS"))
end

function request()
  local id = ids[math.random(#ids)]
  local body = string.format('{"status":"%s"}', statuses[math.random(#statuses)])
  return wrk.format("PUT", "/api/v1/me/questions/" .. id .. "/status",
    auth_headers({ ["Content-Type"] = "application/json" }), body)
end
