-- wrk script: POST bookings at random offered times (read from slots.txt), each
-- with a new client email; counts answers by status. Used by bench/load_booking.sh.
local report = dofile("bench/load/report.lua")
setup, done = report.setup, report.done
local slots = {}
local counter = 0

local function load_slots()
  for line in io.lines(os.getenv("SLOTS_FILE")) do
    local therapist, session_type, start = line:match("^(%d+) (%d+) (%S+)$")
    slots[#slots + 1] = { therapist = therapist, session_type = session_type, start = start }
  end
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
  report.count(status)
end

