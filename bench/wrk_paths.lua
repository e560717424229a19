-- wrk script for bench/run.sh: cycles through the request paths listed (one a line) in the
-- file named by the WRK_PATHS environment variable, and prints one JSON line at the end.
local paths = {}
local f = io.open(os.getenv("WRK_PATHS") or "")
if f then
  for line in f:lines() do paths[#paths + 1] = line end
  f:close()
end
local counter = 0
local status_counts = {}

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_status":%d,"errors_connect":%d,' ..
    '"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
