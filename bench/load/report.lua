-- Shared by the wrk scripts: count answers by status in each thread, and print
-- "STATUS <code>=<n> …" and "RESULT rps=… p50_ms=… p99_ms=…" when done.
local report = { threads = {} }

function report.setup(thread)
  thread:set("id", #report.threads + 1)
  report.threads[#report.threads + 1] = thread
end

function report.count(status)
  codes[status] = (codes[status] or 0) + 1
end

function report.done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(report.threads) do
    for status, n in pairs(thread:get("codes")) do totals[status] = (totals[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(totals) do parts[#parts + 1] = status .. "=" .. n end
  table.sort(parts)
  io.write(string.format("STATUS %s\n", table.concat(parts, " ")))
  io.write(string.format("RESULT rps=%.1f p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

return report
