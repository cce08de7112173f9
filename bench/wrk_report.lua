-- wrk script for make bench.
-- With WRK_CACHE_BUST=1 every request gets its own "nocache" parameter, so that the app's page
-- cache (keyed by the full path) misses each time and the page is rendered anew.
-- done() prints the summary as one JSON line, with the 95th percentile wrk itself omits.
local bust = os.getenv("WRK_CACHE_BUST") == "1"
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local sent = 0
if bust then
  request = function()
    sent = sent + 1
    local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
    local path = wrk.path .. separator .. "nocache=" .. thread_id .. "-" .. sent
    return wrk.format(nil, path)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
