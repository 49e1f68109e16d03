-- wrk script: every request races for one of the starts in RACE_FILE (six
-- overlapping starts of one therapist), each with a new client: after the
-- first few, nearly every answer is a 409. FLOOR=1 posts to the floor.
local report = dofile("bench/load/report.lua")
setup, done = report.setup, report.done
local starts, counter = {}, 0

function init(args)
  for line in io.lines(os.getenv("RACE_FILE")) do
    local therapist, session_type, start = line:match("^(%d+) (%d+) (%S+)$")
    starts[#starts + 1] = { therapist = therapist, session_type = session_type, start = start }
  end
  math.randomseed(id * 7919)
  codes = {}
end

function request()
  counter = counter + 1
  local slot = starts[math.random(#starts)]
  local email = string.format("race-%d-%d@example.com", id, counter)
  if os.getenv("FLOOR") == "1" then
    local body = string.format('{"therapist": %s, "start": "%s", "email": "%s"}',
      slot.therapist, slot.start, email)
    return wrk.format("POST", "/floor/book/", { ["Content-Type"] = "application/json" }, body)
  end
  local body = string.format(
    '{"therapist": %s, "session_type": %s, "start": "%s", "timezone": "Europe/London", ' ..
    '"client": {"first_name": "Race", "last_name": "Test", "email": "%s"}}',
    slot.therapist, slot.session_type, slot.start, email)
  return wrk.format("POST", "/api/v1/bookings/", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  report.count(status)
end
