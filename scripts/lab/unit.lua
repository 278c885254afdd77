-- unit.lua: every cmocka binary, as `make test` counts them.
--
--   build/drydock script scripts/lab/unit.lua [--timeout SECONDS] BINARY...
--
-- Each binary runs with CMOCKA_MESSAGE_OUTPUT=TAP and its stderr merged
-- into stdout, and is read by scripts/lib/ddtap.lua: by test number, a
-- sanitizer report charged to the test that caused it.  Printed:
--
--   test_core_load              23 passed, 0 failed, 0 skipped
--       FAIL test_x: what it said            (one block per failure)
--   SKIP unit test_core_load test_y: REASON  (one line per skip)
--   PROBLEM test_core_load: ...              (the binary itself: no plan,
--                                             an exit status no test explains)
--   Unit: P passed, F failed, S skipped, N problems
--
-- Exit status: 0 when nothing failed and there is no problem (skips are
-- for the caller to judge), else 1.
local tap = require "ddtap"

local timeout, bins = 600, {}
do
  local i = 1
  while arg[i] do
    if arg[i] == "--timeout" then
      timeout = tonumber(arg[i + 1]) or error("--timeout needs seconds")
      i = i + 1
    else
      bins[#bins + 1] = arg[i]
    end
    i = i + 1
  end
end

local function indent(text)
  return "        " .. text:gsub("\n+$", ""):gsub("\n", "\n        ")
end

dd.setenv("CMOCKA_MESSAGE_OUTPUT", "TAP")
local passed, failed, skipped, problems = 0, 0, 0, 0
for _, bin in ipairs(bins) do
  local name = bin:match("[^/]+$")
  local ok, r = pcall(dd.exec, {"sh", "-c", 'exec "$0" 2>&1', bin, timeout = timeout})
  local res
  if ok then
    res = tap.read(r.stdout, r.signal and 128 + r.signal or r.exit_code)
  else
    res = {tests = {}, passed = 0, failed = 0, skipped = 0,
           problems = {"did not finish within " .. timeout .. " s: " .. tostring(r)}}
  end
  print(string.format("%-32s %3d passed, %d failed, %d skipped", name, res.passed, res.failed,
                      res.skipped))
  for _, t in ipairs(res.tests) do
    if t.status == "fail" then
      print("    FAIL " .. t.name .. ":")
      print(indent((t.output or "") .. (t.printed and ("it printed:\n" .. t.printed) or "")))
    elseif t.status == "skip" then
      print(string.format("SKIP unit %s %s: %s", name, t.name, t.reason))
    end
  end
  for _, p in ipairs(res.problems) do print("PROBLEM " .. name .. ": " .. p) end
  passed, failed, skipped = passed + res.passed, failed + res.failed, skipped + res.skipped
  problems = problems + #res.problems
end
print(string.format("Unit: %d passed, %d failed, %d skipped, %d problems", passed, failed,
                    skipped, problems))
os.exit((failed == 0 and problems == 0) and 0 or 1)
