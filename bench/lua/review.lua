-- POST /api/v1/me/reviews with a fresh review id per request (wrk Lua).
-- Set CARD and TOKEN in the environment.
local card = os.getenv("CARD")
local token = os.getenv("TOKEN")
math.randomseed(os.time())
local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
request = function()
  local body = string.format('{"review_id":"%s","flashcard_id":"%s","rating":"good"}', uuid(), card)
  return wrk.format("POST", "/api/v1/me/reviews", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
