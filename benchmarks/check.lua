-- wrk script: GET /authenticate with Connection: close, as phones send it, and count
-- every answer that is not exactly status 200 with the body AUTHORIZED.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   wrong = 0
   local query = "UserID=" .. args[1] .. "&Password=" .. args[2] .. "&devicename=SEP005056000001"
   request_bytes = wrk.format("GET", "/authenticate?" .. query, {["Connection"] = "close"})
end

function request()
   return request_bytes
end

function response(status, headers, body)
   if status ~= 200 or body ~= "AUTHORIZED" then
      wrong = wrong + 1
   end
end

function done(summary, latency, requests)
   local total_wrong = 0
   for _, thread in ipairs(threads) do
      total_wrong = total_wrong + thread:get("wrong")
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "wrong": %d}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout, total_wrong))
end
