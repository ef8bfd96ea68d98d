-- Shared by every wrk script in bench/lua (loaded with dofile; bench/run sets
-- BENCH_LUA_DIR). It numbers the threads, so scripts can keep per-thread state apart
-- (unique ids, disjoint slices of a list), and prints one machine-readable line at the
-- end that bench/lib/report.py turns into the results table.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- Seeds math.random differently per thread (two threads started in the same second
-- would otherwise draw the same sequence).
function seed_random()
  math.randomseed(os.time() * 100 + (tid or 0))
  for _ = 1, 10 do math.random() end
end

-- Splits "a,b,c" into a table.
function split(list)
  local out = {}
  for item in string.gmatch(list or "", "[^,]+") do table.insert(out, item) end
  return out
end

function auth_headers(extra)
  local headers = extra or {}
  local token = os.getenv("TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return headers
end

function done(summary, latency, requests)
  local replays = 0
  for _, thread in ipairs(threads) do replays = replays + (tonumber(thread:get("replays")) or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, "replays": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, replays))
end
