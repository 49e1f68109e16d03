-- wrk script for the soak: browse slots, book, move, cancel, fetch the feed, at random.
-- Manage tokens come from the bookings this thread made. Reports statuses like book.lua.
local report = dofile("bench/load/report.lua")
setup, done = report.setup, report.done
local slots, tokens = {}, {}
local counter = 0


function init(args)
  for line in io.lines(os.getenv("SLOTS_FILE")) do
    local therapist, session_type, start = line:match("^(%d+) (%d+) (%S+)$")
    slots[#slots + 1] = { therapist = therapist, session_type = session_type, start = start }
  end
  math.randomseed(id * 104729)
  codes = {}
  feed_path = os.getenv("FEED_PATH")
  slots_path = os.getenv("SLOTS_PATH")
end

local function random_slot() return slots[math.random(#slots)] end

function request()
  counter = counter + 1
  local roll = math.random(100)
  if roll <= 40 then
    return wrk.format("GET", slots_path)
  elseif roll <= 55 then
    return wrk.format("GET", feed_path)
  elseif roll <= 85 or #tokens == 0 then
    local slot = random_slot()
    local body = string.format(
      '{"therapist": %s, "session_type": %s, "start": "%s", "timezone": "Europe/London", ' ..
      '"client": {"first_name": "Soak", "last_name": "Test", "email": "soak-%d-%d@example.com"}}',
      slot.therapist, slot.session_type, slot.start, id, counter)
    return wrk.format("POST", "/api/v1/bookings/", { ["Content-Type"] = "application/json" }, body)
  elseif roll <= 93 then
    local token = tokens[math.random(#tokens)]
    local body = string.format('{"start": "%s"}', random_slot().start)
    return wrk.format("POST", "/api/v1/bookings/" .. token .. "/reschedule/",
      { ["Content-Type"] = "application/json" }, body)
  else
    local token = table.remove(tokens, math.random(#tokens))
    return wrk.format("POST", "/api/v1/bookings/" .. token .. "/cancel/")
  end
end

function response(status, headers, body)
  report.count(status)
  if status == 201 then
    local token = body:match('/book/manage/([^/"]+)/')
    if token then tokens[#tokens + 1] = token end
  end
end

