-- POST /api/v1/me/quizzes/{id}/submission for the attempts the creation run made
-- (ATTEMPTS_DIR/attempts-*.txt), each thread taking its own share so that every
-- request grades a fresh attempt. Answers pick option 0 for each of QUIZ_SIZE items
-- (every item has at least two options), so some are right and some wrong.
-- Should a thread run out, it starts over; those requests are replays (the stored
-- result is returned), counted as "replays" in the result line so the report can flag them.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local mine, next_index, body

function init(args)
  local all = {}
  local dir = os.getenv("ATTEMPTS_DIR")
  for i = 1, 64 do
    local f = io.open(string.format("%s/attempts-%d.txt", dir, i), "r")
    if f then
      for line in f:lines() do if line ~= "" then table.insert(all, line) end end
      f:close()
    end
  end
  -- Threads are numbered 1..N by setup(); N is the -t given to wrk (BENCH_THREADS).
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  mine = {}
  for i, id in ipairs(all) do
    if (i - 1) % n == tid - 1 then table.insert(mine, id) end
  end
  assert(#mine > 0, "no quiz attempts to submit in " .. dir)
  local answers = {}
  for p = 0, tonumber(os.getenv("QUIZ_SIZE") or "20") - 1 do
    table.insert(answers, string.format('{"position":%d,"selected":[0]}', p))
  end
  body = '{"answers":[' .. table.concat(answers, ",") .. ']}'
  next_index = 0
  replays = 0
end

function request()
  next_index = next_index + 1
  if next_index > #mine then replays = replays + 1 end
  local id = mine[(next_index - 1) % #mine + 1]
  return wrk.format("POST", "/api/v1/me/quizzes/" .. id .. "/submission",
    auth_headers({ ["Content-Type"] = "application/json" }), body)
end
