-- wrk script of benchmarks/webhook.py: POST pre-signed Twilio incoming-call requests.
--
-- wrk's Lua cannot compute HMAC-SHA1, so webhook.py signs the bodies in Python and
-- writes them to a data file (`return { {body, signature}, ... }`), one file per
-- round, each with CallSids never used before. Usage:
--   wrk -t2 -c32 -d2s -s signed_incoming.lua URL -- DATA_FILE THREADS
-- Thread k sends bodies k, k+THREADS, k+2*THREADS...: no two requests of a round
-- share a CallSid. If a round outlasts its data, `wrapped` says so and the
-- database check of webhook.py fails (a replayed CallSid writes no new row).

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   bodies = dofile(args[1])
   step = tonumber(args[2])
   index = tid + 1
   ok, bad, wrapped = 0, 0, 0
end

function request()
   if index > #bodies then
      index = tid + 1
      wrapped = 1
   end
   local entry = bodies[index]
   index = index + step
   return wrk.format("POST", "/voice/incoming", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = entry[2],
   }, entry[1])
end

function response(status, headers, body)
   if status == 200 and string.find(body, "<Dial", 1, true) then
      ok = ok + 1
   else
      bad = bad + 1
   end
end

local function percentiles()
   local points = {}
   for p = 1, 99 do
      table.insert(points, p)
   end
   for p = 991, 999 do
      table.insert(points, p / 10)
   end
   table.insert(points, 99.99)
   table.insert(points, 100)
   return points
end

function done(summary, latency, requests)
   local total_ok, total_bad, any_wrapped = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_bad = total_bad + thread:get("bad")
      any_wrapped = math.max(any_wrapped, thread:get("wrapped"))
   end
   local pairs_ = {}
   for _, p in ipairs(percentiles()) do
      table.insert(pairs_, string.format("[%g,%d]", p, latency:percentile(p)))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,"wrapped":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":[%s]}\n',
      summary.requests, summary.duration, total_ok, total_bad, any_wrapped,
      e.connect, e.read, e.write, e.status, e.timeout, table.concat(pairs_, ",")))
end
