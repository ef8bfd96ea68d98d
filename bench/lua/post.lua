-- POST a fixed JSON body (BODY) to PATH with a bearer TOKEN (wrk Lua).
local token = os.getenv("TOKEN")
local body = os.getenv("BODY")
local path = os.getenv("PATH_")
request = function()
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
