-- POST /api/v1/me/quizzes (a QUIZ_SIZE-item practice quiz over the Python track).
-- Each created attempt's id (from the Location header) is appended to
-- ATTEMPTS_DIR/attempts-<thread>.txt: the submission run submits exactly these.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local body = string.format('{"scope":{"track":"python"},"size":%d,"mode":"practice"}',
  tonumber(os.getenv("QUIZ_SIZE") or "20"))
local out

function init(args)
  out = assert(io.open(string.format("%s/attempts-%d.txt", os.getenv("ATTEMPTS_DIR"), tid), "a"))
  out:setvbuf("line")
end

function request()
  return wrk.format("POST", "/api/v1/me/quizzes", auth_headers({ ["Content-Type"] = "application/json" }), body)
end

function response(status, headers, body)
  local location = headers["location"] or headers["Location"]
  if status == 201 and location then
    out:write(string.match(location, "[^/]+$"), "\n")
  end
end
