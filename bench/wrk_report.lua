-- Several paths (WRK_PATHS, separated by spaces): the requests go round them in turn.
local paths = {}
for path in string.gmatch(os.getenv("WRK_PATHS") or "", "%S+") do
  table.insert(paths, path)
end
local turn = 0
if #paths > 0 then
  request = function()
    turn = turn % #paths + 1
    return wrk.format(nil, paths[turn])
  end
end

done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"errors\": %d, \"seconds\": %.2f, \"rps\": %.1f, \"p50\": %.1f, \"p95\": %.1f, \"p99\": %.1f}\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
