-- POST /api/v1/me/reviews: a random card of CARD_IDS, a random rating and a review id
-- never used before (a reused id would be a cheap replay, not a review). The id is
-- built, not drawn: RUN_HEX (8 hex digits, fresh per run), the thread number and a
-- per-thread counter, so no two requests can collide.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local ratings = { "again", "hard", "good", "easy" }
local cards, run, counter

function init(args)
  seed_random()
  cards = split(os.getenv("CARD_IDS"))
  run = os.getenv("RUN_HEX")
  counter = 0
end

function request()
  counter = counter + 1
  local review_id = string.format("%s-%04x-4000-8000-%012x", run, tid, counter)
  local body = string.format('{"review_id":"%s","flashcard_id":"%s","rating":"%s"}',
    review_id, cards[math.random(#cards)], ratings[math.random(#ratings)])
  return wrk.format("POST", "/api/v1/me/reviews", auth_headers({ ["Content-Type"] = "application/json" }), body)
end
