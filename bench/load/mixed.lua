-- wrk script for the soak: browse slots, book, move, cancel, fetch the feed, at random.
-- Manage tokens come from the bookings this thread made. Reports statuses like book.lua.
local slots, threads, tokens = {}, {}, {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

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
  codes[status] = (codes[status] or 0) + 1
  if status == 201 then
    local token = body:match('/book/manage/([^/"]+)/')
    if token then tokens[#tokens + 1] = token end
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
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
