-- bench_server.lua - wrk script for bench_server.sh: POST the body file
-- (BENCH_BODY, a {"verifiableCredential": ...} request) to the URL, and
-- print one machine-readable line at the end: requests/s, latency
-- percentiles (microseconds) and the error counts wrk keeps.
-- SPDX-License-Identifier: Apache-2.0
-- Without BENCH_BODY: GET the URL (the HTTP floor: /healthz).
local path = os.getenv("BENCH_BODY")
if path and path ~= "" then
  local f = assert(io.open(path, "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
  -- the distribution, for merging slices: the latency at each 0.1 percentile
  local q = {}
  for i = 1, 1000 do q[i] = tostring(latency:percentile(i / 10)) end
  io.write("LATENCY " .. table.concat(q, " ") .. "\n")
end
