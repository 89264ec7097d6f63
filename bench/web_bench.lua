-- wrk script for `make bench-web` (bench/web_bench.py writes the targets file and runs wrk).
--
--   wrk -s bench/web_bench.lua http://127.0.0.1:PORT -- TARGETS_FILE
--
-- TARGETS_FILE holds one request a line: "<path><TAB><Cookie header value>". Each connection
-- takes the lines in turn (each thread starting at a different line), so many signed-in
-- residents ask for their own pages. wrk itself counts only 4xx and 5xx as "Non-2xx or 3xx
-- responses"; a redirect (to sign in, say) is a failure here too, so this script counts every
-- status outside 200-299 and prints the count and the first one seen after wrk's summary.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  targets = {}
  local file = assert(io.open(args[1], "r"), "cannot open the targets file " .. tostring(args[1]))
  for line in file:lines() do
    local path, cookie = line:match("^([^\t]+)\t(.*)$")
    if path then
      table.insert(targets, wrk.format("GET", path, { Cookie = cookie }))
    end
  end
  file:close()
  assert(#targets > 0, "the targets file has no requests")
  next_target = (thread_number * 7919) % #targets
  bad = 0
  first_bad = ""
end

function request()
  next_target = next_target % #targets + 1
  return targets[next_target]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. tostring(headers["Location"] or "")
    end
  end
end

function done(summary, latency, requests)
  local total, first = 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    if first == "" then
      first = thread:get("first_bad")
    end
  end
  io.write(string.format("Script non-2xx responses: %d\n", total))
  if first ~= "" then
    io.write(string.format("Script first non-2xx: %s\n", first))
  end
end
