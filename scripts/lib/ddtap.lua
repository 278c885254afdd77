-- ddtap: what a cmocka binary reported, read honestly.
--
--   local tap = require "ddtap"
--   local r = tap.read(output, exit_code)   -- stdout and stderr, merged in order
--   for _, t in ipairs(r.tests) do print(t.number, t.name, t.status, t.output) end
--
-- The binary runs with CMOCKA_MESSAGE_OUTPUT=TAP and its stderr merged
-- into its stdout (cmocka flushes stdout after each line, so the order
-- holds).  It is read by test number, against the plan "1..N":
--
--   ok N - NAME              passed
--   not ok N - NAME          failed; the "# ..." lines after it say why
--   not ok N # SKIP NAME     skipped (cmocka 1.1's form; "ok N # SKIP" too);
--                            the reason is the last line the test printed
--   # ok - GROUP             cmocka's own summary: the binary got to the end
--
-- A line that merely starts with "ok " counts for nothing: a result needs
-- the next number of the plan, once.  A number the plan promised and no
-- line gave is a failure ("never reported").  A sanitizer report belongs
-- to the test its stack names (a test_* function), else to the test that
-- was running when it was printed; one printed after the last test (a
-- leak found at exit) that names no test goes to the tests that failed,
-- or with none failed, to the binary (a problem, failing it).  cmocka
-- exits with the number of failed tests; another status no report
-- explains is a failure of the binary.
--
-- r = {tests = {{number, name, status = "ok"|"fail"|"skip", output,
--      reason}...}, problems = {text...}, passed, failed, skipped}
local M = {}

-- The first line of a sanitizer's report, and the line that ends it.
local REPORT_KINDS = {
  {start = "^==%d+==ERROR: AddressSanitizer", finish = "^SUMMARY: "},
  {start = "^==%d+==ERROR: LeakSanitizer", finish = "^SUMMARY: "},
  {start = "^%S+:%d+:%d+: runtime error: "},   -- UBSan: one line
}

local function report_kind(line)
  for _, k in ipairs(REPORT_KINDS) do
    if line:find(k.start) then return k end
  end
end

-- The result lines, by number.
local function result_line(line)
  local n, name = line:match("^not ok (%d+) # SKIP (.+)$")
  if not n then n, name = line:match("^ok (%d+) # SKIP (.+)$") end
  if n then return tonumber(n), name, "skip" end
  n, name = line:match("^ok (%d+) %- (.+)$")
  if n then return tonumber(n), name, "ok" end
  n, name = line:match("^not ok (%d+) %- (.+)$")
  if n then return tonumber(n), name, "fail" end
end

local function add_output(t, text)
  t.output = (t.output or "") .. text .. "\n"
end

function M.read(text, exit_code)
  local r = {tests = {}, problems = {}, passed = 0, failed = 0, skipped = 0}
  local plan, summary
  local by_name = {}
  local printed = {}      -- what the running test printed, not TAP
  local reports = {}      -- every report, with the result number after it
  local report            -- the report being read
  local last              -- the last result, for its "# " lines

  for line in (text:gsub("\n?$", "\n")):gmatch("([^\n]*)\n") do
    if report then
      report.text = report.text .. line .. "\n"
      report.test = report.test or line:match(" in (test_[%w_]+) ")
      if not report.kind.finish or line:find(report.kind.finish) then report = nil end
    elseif report_kind(line) then
      report = {kind = report_kind(line), text = line .. "\n", before = #r.tests + 1}
      report.test = line:match(" in (test_[%w_]+) ")
      reports[#reports + 1] = report
      if not report.kind.finish then report = nil end
    elseif not plan and line:find("^1%.%.%d+$") then
      plan = tonumber(line:match("%d+$"))
    elseif result_line(line) then
      local n, name, status = result_line(line)
      if n ~= #r.tests + 1 then
        r.problems[#r.problems + 1] = string.format(
          "result line for test %d where test %d was due: %s", n, #r.tests + 1, line)
      else
        local t = {number = n, name = name, status = status}
        if status == "skip" then
          t.reason = printed[#printed] or "(the test printed no reason)"
        end
        if #printed > 0 then t.printed = table.concat(printed, "\n") .. "\n" end
        r.tests[n], by_name[name], last, printed = t, t, t, {}
      end
    elseif line:find("^# n?o?t? ?ok %- ") then
      summary = line
    elseif last and last.status == "fail" and line:find("^# ") then
      add_output(last, line:sub(3))
    elseif line ~= "" then
      printed[#printed + 1] = line
      last = nil
    end
  end

  -- Tests the plan promised that never reported: the binary died in the
  -- first of them.
  for n = #r.tests + 1, plan or 0 do
    r.tests[n] = {number = n, name = "test " .. n .. " of " .. plan, status = "fail",
                  output = "never reported: the binary exited with " .. tostring(exit_code) ..
                           " before its result\n", unreported = true}
  end
  if not plan then r.problems[#r.problems + 1] = "no TAP plan (1..N): the binary reported no tests" end

  -- What cmocka itself counted as failed, for its exit status.
  local reported_failures = 0
  for _, t in ipairs(r.tests) do
    if t.status == "fail" and not t.unreported then reported_failures = reported_failures + 1 end
  end

  -- Each sanitizer report to its test.  One printed at exit that names no
  -- test (a leak: its stack rarely reaches the test) goes to the tests that
  -- failed, whose early exits leak what they had not freed yet; with none
  -- failed, to the binary.
  local at_exit = {}
  for _, rep in ipairs(reports) do
    local t = rep.test and by_name[rep.test] or r.tests[rep.before]
    if t and t.unreported and rep.test then t.name = rep.test end
    if t then
      t.status = "fail"
      add_output(t, "sanitizer report:\n" .. rep.text:sub(1, 3000))
    else
      at_exit[#at_exit + 1] = rep
    end
  end
  for _, rep in ipairs(at_exit) do
    local charged = false
    for n = 1, reported_failures > 0 and #r.tests or 0 do
      if r.tests[n].status == "fail" then
        add_output(r.tests[n], "sanitizer report at exit (after this failure's early return?):\n" ..
                               rep.text:sub(1, 1500))
        charged = true
      end
    end
    if not charged then
      r.problems[#r.problems + 1] = "a sanitizer report after the last test:\n" .. rep.text:sub(1, 3000)
    end
  end

  for _, t in ipairs(r.tests) do
    if t.status == "ok" then r.passed = r.passed + 1
    elseif t.status == "skip" then r.skipped = r.skipped + 1
    else r.failed = r.failed + 1 end
  end
  -- cmocka's summary and exit status must agree with what it reported,
  -- unless a failure above already says why they do not.
  local explained = #reports > 0 or (#r.tests > 0 and r.tests[#r.tests].unreported)
  if plan and not summary and not explained then
    r.problems[#r.problems + 1] = "no cmocka summary line (# ok - GROUP): the binary stopped early"
  end
  if plan and exit_code ~= reported_failures and not explained then
    r.problems[#r.problems + 1] = string.format(
      "exited with %s, but its tests reported %d failures", tostring(exit_code), reported_failures)
  end
  return r
end

return M
