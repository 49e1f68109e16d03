-- wrk script for plain GETs (the /healthz floor, slots, feeds).
local report = dofile("bench/load/report.lua")
setup, done = report.setup, report.done

function init(args) codes = {} end

function response(status, headers, body) report.count(status) end
