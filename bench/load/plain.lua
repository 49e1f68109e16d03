-- wrk script: the framework's floor, GET /healthz; same report lines as book.lua.
function done(summary, latency, requests)
  io.write(string.format("STATUS 200=%d errors=%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
  io.write(string.format("RESULT rps=%.1f p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
