-- wrk script: POST bookings at random offered times (read from slots.txt), each
-- with a new client email; counts answers by status. Used by bench/load_booking.sh.
local slots = {}
local counter = 0
local threads = {}

local function load_slots()
  for line in io.lines(os.getenv("SLOTS_FILE")) do
    local therapist, session_type, start = line:match("^(%d+) (%d+) (%S+)$")
    slots[#slots + 1] = { therapist = therapist, session_type = session_type, start = start }
  end
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  load_slots()
  math.randomseed(id * 7919)
  codes = {}
end

function request()
  counter = counter + 1
  local slot = slots[math.random(#slots)]
  local body = string.format(
    '{"therapist": %s, "session_type": %s, "start": "%s", "timezone": "Europe/London", ' ..
    '"client": {"first_name": "Load", "last_name": "Test", "email": "load-%d-%d@example.com"}}',
    slot.therapist, slot.session_type, slot.start, id, counter)
  return wrk.format("POST", "/api/v1/bookings/", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local thread_codes = thread:get("codes")
    for status, n in pairs(thread_codes) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(totals) do parts[#parts + 1] = status .. "=" .. n end
  table.sort(parts)
  io.write(string.format("STATUS %s\n", table.concat(parts, " ")))
  io.write(string.format("RESULT rps=%.1f p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
