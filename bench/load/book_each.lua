-- wrk script: POST bookings of new clients, each request its own start from
-- SLOTS_FILE ("therapist session_type start" lines, none overlapping another),
-- thread i taking lines i, i+T, i+2T …; past the end it wraps (and meets 409s).
-- FLOOR=1 posts the floor's body to /floor/book/ instead. Used by bench/side_by_side.sh.
local report = dofile("bench/load/report.lua")
setup, done = report.setup, report.done
local slots, counter, threads = {}, 0, 1

function init(args)
  for line in io.lines(os.getenv("SLOTS_FILE")) do
    local therapist, session_type, start = line:match("^(%d+) (%d+) (%S+)$")
    slots[#slots + 1] = { therapist = therapist, session_type = session_type, start = start }
  end
  threads = tonumber(os.getenv("WRK_THREADS") or "1")
  codes = {}
end

function request()
  local slot = slots[((id - 1) + counter * threads) % #slots + 1]
  counter = counter + 1
  local email = string.format("load-%d-%d@example.com", id, counter)
  if os.getenv("FLOOR") == "1" then
    local body = string.format('{"therapist": %s, "start": "%s", "email": "%s"}',
      slot.therapist, slot.start, email)
    return wrk.format("POST", "/floor/book/", { ["Content-Type"] = "application/json" }, body)
  end
  local body = string.format(
    '{"therapist": %s, "session_type": %s, "start": "%s", "timezone": "Europe/London", ' ..
    '"client": {"first_name": "Load", "last_name": "Test", "email": "%s"}}',
    slot.therapist, slot.session_type, slot.start, email)
  return wrk.format("POST", "/api/v1/bookings/", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  report.count(status)
end
