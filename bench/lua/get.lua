-- GET with a bearer TOKEN (wrk Lua).
local token = os.getenv("TOKEN")
request = function()
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
