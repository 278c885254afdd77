-- run.lua: the lab test runner.
--
--   build/drydock script scripts/lab/run.lua --lab NN [--only]   lab NN, then NN-1 ... 01
--   build/drydock script scripts/lab/run.lua --all               every lab, ascending
--   build/drydock script scripts/lab/run.lua --core              the engine tests (lab 0)
--   options: --out DIR (results.json, junit.xml, results.tap), --timeout SECONDS,
--            --fail-fast (stop at the first failed test: the self-check's mutants)
--
-- Before running, the binaries are brought up to date (`make lab-build`,
-- which makes only what the labs asked for need), so a test never runs
-- a binary older than the source; if they cannot be built the runner
-- refuses (exit 2) instead of testing the old ones.
--
-- labs/NN-name/points lists every test of lab NN with its points
-- ("POINTS KIND NAME", KIND unit or scenario); points live only there.
-- Unit tests are the cmocka binaries build/tests/unit/test_NN_*, each
-- test named by its function; scenario tests are registered by
-- tests/integration/*.lua with T.test{lab = NN, ...}.  A manifest entry
-- without a test fails as "missing test"; a test missing from the
-- manifest is a framework error.  labs/NN-name/points.hidden lists, the
-- same way, the instructor's hidden tests (tests/hidden/, never in a
-- handout): graded like the others, with visibility "after_published"
-- in results.json so a student sees them only once grades are out.
--
-- Each lab gets a fresh data root (DRYDOCK_ROOT), removed afterwards, and
-- with it a fresh run root beneath it (no DRYDOCK_RUNROOT: <root>/run).
-- Each scenario test runs in a `drydock script` of its own (a fresh Lua
-- state), killed with everything it started after --timeout seconds.
--
-- Exit status: 0 on full marks, 1 below, 2 on a framework error.
local dd = require "drydock"
local T = require "ddtest"
local tap = require "ddtap"

local DEFAULT_TIMEOUT = 60   -- seconds per test
local MARKER = "\27DDTEST_RESULT "  -- prefixes the child's result line
local SUITE_OVERHEAD = 15    -- extra seconds a unit binary gets for start-up

local USAGE = [==[
Usage: drydock script scripts/lab/run.lua [--lab NN [--only]] [--all] [--core]
                                          [--out DIR] [--timeout SECONDS]
  --lab NN     run lab NN, then every earlier lab (regression)
  --only       with --lab: lab NN alone
  --all        every lab, ascending
  --core       also the engine's own tests (lab 0, no points)
  --out DIR    write results.json (Gradescope), junit.xml and results.tap
  --timeout S  seconds a test may take (default 60)
  --fail-fast  stop at the first test that fails]==]

---------------------------------------------------------------------------
-- Small helpers.

local function die(status, fmt, ...)
  io.stderr:write("drydock: ", string.format(fmt, ...), "\n")
  os.exit(status)
end

-- A framework error: the tests or manifests themselves are wrong.
local function framework_error(fmt, ...)
  die(2, "framework error: " .. fmt, ...)
end

local function realpath(path)
  local r = dd.exec{"realpath", "-e", path}
  if r.exit_code == 0 then return (r.stdout:gsub("\n$", "")) end
end

-- The entries of a directory, sorted (empty if it does not exist).
local function list_dir(dir)
  local r = dd.exec{"ls", "-1", dir}
  local names = {}
  if r.exit_code == 0 then
    for name in r.stdout:gmatch("[^\n]+") do names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

local function indent(text, prefix)
  prefix = prefix or "    "
  return prefix .. text:gsub("\n+$", ""):gsub("\n", "\n" .. prefix)
end

---------------------------------------------------------------------------
-- Child mode: run one scenario test and print its result as JSON.
-- run.lua --child FILE LAB NAME

if arg[1] == "--child" then
  local file, lab, name = arg[2], math.tointeger(tonumber(arg[3])), arg[4]
  local result
  local ok, err = pcall(dofile, file)
  if not ok then
    result = {ok = false, output = "cannot load " .. file .. ": " .. tostring(err), seconds = 0}
  elseif not T.find(lab, name) then
    result = {ok = false, output = "no test '" .. name .. "' in " .. file, seconds = 0}
  else
    result = T.run_test(T.find(lab, name))
  end
  io.stdout:write("\n", MARKER, dd.json_encode(result), "\n")
  io.stdout:flush()
  os.exit(0)
end

---------------------------------------------------------------------------
-- Command line.

local opts = {timeout = DEFAULT_TIMEOUT}
do
  local i = 1
  while arg[i] do
    local a = arg[i]
    if a == "--lab" then
      opts.lab = math.tointeger(tonumber(arg[i + 1] or ""))
      if not opts.lab then die(2, "--lab needs a lab number\n%s", USAGE) end
      i = i + 1
    elseif a == "--only" then opts.only = true
    elseif a == "--all" then opts.all = true
    elseif a == "--core" then opts.core = true
    elseif a == "--fail-fast" then opts.fail_fast = true
    elseif a == "--out" then
      opts.out = arg[i + 1] or die(2, "--out needs a directory\n%s", USAGE)
      i = i + 1
    elseif a == "--timeout" then
      opts.timeout = tonumber(arg[i + 1] or "") or die(2, "--timeout needs seconds\n%s", USAGE)
      i = i + 1
    elseif a == "--help" or a == "-h" then print(USAGE); os.exit(0)
    else die(2, "unknown argument '%s'\n%s", a, USAGE) end
    i = i + 1
  end
  if not (opts.lab or opts.all or opts.core) or (opts.lab and opts.all) or
     (opts.only and not opts.lab) then
    die(2, "say which labs: --lab NN [--only], --all or --core\n%s", USAGE)
  end
end

---------------------------------------------------------------------------
-- The tree, the binaries, the labs and their manifests.

local script_dir = arg[0]:match("^(.*)/[^/]*$") or "."
local TREE = realpath(script_dir .. "/../..") or die(2, "cannot find the source tree")
local BIN = realpath(dd.bin()) or die(2, "cannot find the drydock binary '%s'", dd.bin())
local PROBE = realpath(os.getenv("DRYDOCK_PROBE") or (TREE .. "/build/ddprobe"))
              or die(2, "build/ddprobe is missing: run make")
dd.setenv("DRYDOCK_BIN", BIN)
dd.setenv("DRYDOCK_PROBE", PROBE)
dd.setenv("CMOCKA_MESSAGE_OUTPUT", "TAP")

-- labs/NN-name/points -> {number, dir, entries = {{points, kind, name}...}}
local function read_manifest(lab, hidden)
  local path = lab.dir .. (hidden and "/points.hidden" or "/points")
  local f = io.open(path)
  if not f and hidden then return end
  if not f then framework_error("%s is missing", path) end
  lab.seen = lab.seen or {}
  local seen = lab.seen
  lab.entries = lab.entries or {}
  local n = 0
  for line in f:lines() do
    n = n + 1
    if not line:find("^%s*#") and line:find("%S") then
      local points, kind, name = line:match("^%s*(%d+)%s+(%S+)%s+(.-)%s*$")
      if not points or name == "" then
        framework_error("%s:%d: expected 'POINTS KIND NAME', saw '%s'", path, n, line)
      end
      if kind ~= "unit" and kind ~= "scenario" then
        framework_error("%s:%d: KIND must be unit or scenario, saw '%s'", path, n, kind)
      end
      if seen[kind .. name] then
        framework_error("%s:%d: '%s' is listed twice", path, n, name)
      end
      seen[kind .. name] = true
      lab.entries[#lab.entries + 1] = {points = math.tointeger(tonumber(points)),
                                       kind = kind, name = name, hidden = hidden}
    end
  end
  f:close()
end

local labs, lab_by_number = {}, {}
for _, entry in ipairs(list_dir(TREE .. "/labs")) do
  local num = entry:match("^(%d%d)%-")
  if num then
    local lab = {number = tonumber(num), dir = TREE .. "/labs/" .. entry, title = entry}
    read_manifest(lab)
    read_manifest(lab, true)
    labs[#labs + 1] = lab
    lab_by_number[lab.number] = lab
  end
end

-- Load every scenario file: registering is cheap, tests run later.
for _, dir in ipairs{"tests/integration", "tests/hidden/integration"} do
  for _, file in ipairs(list_dir(TREE .. "/" .. dir)) do
    if file:find("%.lua$") then
      local ok, err = pcall(dofile, TREE .. "/" .. dir .. "/" .. file)
      if not ok then framework_error("cannot load %s/%s: %s", dir, file, tostring(err)) end
    end
  end
end

-- Every scenario test must have a manifest entry.
for _, test in ipairs(T.tests()) do
  if test.lab ~= 0 then
    local lab = lab_by_number[test.lab]
    if not lab then
      framework_error("test '%s' (%s) is for lab %02d, which has no labs/%02d-*/ directory",
                      test.name, test.source, test.lab, test.lab)
    end
    local listed = false
    for _, e in ipairs(lab.entries) do
      if e.kind == "scenario" and e.name == test.name then listed = true end
    end
    if not listed then
      framework_error("test '%s' (%s) is not in %s/points%s", test.name, test.source, lab.dir,
                      test.file:find("/tests/hidden/") and ".hidden" or "")
    end
  end
end

---------------------------------------------------------------------------
-- Running tests.

-- Run the lab's unit binaries; returns {name -> {ok, skipped, output,
-- seconds}} and the list of binaries run.  Each binary's stderr is merged
-- into its TAP, which scripts/lib/ddtap.lua reads by test number: a
-- sanitizer report fails the test that caused it, not its neighbours.
local function run_units(lab)
  local results, bins, unreported = {}, {}, {}
  local dir = TREE .. "/build/tests/unit"
  local units = 0
  for _, e in ipairs(lab.entries) do if e.kind == "unit" then units = units + 1 end end
  for _, file in ipairs(list_dir(dir)) do
    if file:find(string.format("^test_%02d_", lab.number)) and not file:find("%.") then
      bins[#bins + 1] = file
      local t0 = dd.monotonic()
      local ok, r = pcall(dd.exec, {"sh", "-c", 'exec "$0" 2>&1', dir .. "/" .. file,
                                    timeout = opts.timeout * math.max(units, 1) + SUITE_OVERHEAD})
      local seconds = dd.monotonic() - t0
      local found = ok and tap.read(r.stdout, r.signal and 128 + r.signal or r.exit_code) or
                    {tests = {}, problems = {"did not finish: " .. tostring(r)}}
      for _, t in ipairs(found.tests) do
        -- A test the binary never reached, and no report names, is the
        -- manifest's "missing test"; say there why.
        if t.unreported and not t.name:find("^test_") then
          unreported[#unreported + 1] = file .. ": " .. t.output
          goto next_test
        end
        local res = {ok = t.status == "ok", binary = file,
                     seconds = seconds / #found.tests, output = t.output or ""}
        if t.status == "skip" then
          res.skipped, res.output = t.reason, "skipped: " .. t.reason
        elseif t.status == "fail" and t.printed then
          res.output = res.output .. "it printed:\n" .. t.printed:sub(-2000)
        end
        results[t.name] = res
        ::next_test::
      end
      -- A problem of the binary (an exit status or a report no test
      -- explains) fails each of its tests: which one caused it is unknown.
      for _, problem in ipairs(found.problems) do
        for _, t in ipairs(found.tests) do
          local res = results[t.name] or {output = ""}
          res.ok, res.skipped = false, nil
          res.output = res.output .. file .. ": " .. problem .. "\n"
        end
      end
      if #found.tests == 0 then
        results["\0" .. file] = {ok = false, binary = file,
                                 output = file .. ": " .. table.concat(found.problems, "; ")}
      end
    end
  end
  return results, bins, unreported
end

-- Run one scenario test in a child `drydock script`.
local function run_scenario(test)
  local t0 = dd.monotonic()
  local ok, r = pcall(dd.exec, {BIN, "script", TREE .. "/scripts/lab/run.lua", "--child",
                                test.file, tostring(test.lab), test.name,
                                timeout = opts.timeout})
  local seconds = dd.monotonic() - t0
  if not ok then
    return {ok = false, seconds = seconds,
            output = "timed out after " .. opts.timeout .. " s: " .. tostring(r)}
  end
  local json = r.stdout:match(MARKER .. "([^\n]*)\n?$")
  if not json then
    return {ok = false, seconds = seconds,
            output = "the test's script exited with " .. r.exit_code .. " and no result:\n" ..
                     r.stderr:sub(-2000)}
  end
  local result = dd.json_decode(json)
  result.seconds = seconds
  return result
end

local results = {}       -- every graded result, in the order run
local core_results = {}
local framework_problems = {}

local function report(label, name, res)
  io.stdout:write(string.format("== %s == %s: %s (%.1fs)\n", label, name,
                                res.ok and "OK" or
                                res.skipped and "SKIP (" .. res.skipped .. ")" or "FAIL",
                                res.seconds or 0))
  if not res.ok and not res.skipped and res.output and res.output ~= "" then
    io.stdout:write(indent(res.output), "\n")
  end
  io.stdout:flush()
end

-- A private state root for a group of tests, removed afterwards; the run
-- root is <root>/run, so it goes too.
local function with_state_root(what, fn)
  local root = dd.mkdtemp("ddroot-")
  dd.setenv("DRYDOCK_ROOT", root)
  dd.setenv("DRYDOCK_RUNROOT", nil)
  fn()
  dd.setenv("DRYDOCK_ROOT", nil)
  local ok, err = pcall(dd.rm_rf, root)
  if not ok then
    framework_problems[#framework_problems + 1] =
      string.format("%s left its state root behind: %s", what, tostring(err))
  end
end

local stopped = false    -- --fail-fast saw a failure

local function run_lab(lab)
  local label = string.format("lab %02d", lab.number)
  with_state_root(label, function()
    local units, bins, unreported = run_units(lab)
    for _, e in ipairs(lab.entries) do
      local res
      if e.kind == "unit" then
        res = units[e.name]
        units[e.name] = nil
        if not res then
          local where = #bins > 0 and table.concat(bins, ", ") or
                        string.format("no build/tests/unit/test_%02d_* binary (run make unit)",
                                      lab.number)
          res = {ok = false, output = "missing test (not reported by " .. where .. ")" ..
                                      (#unreported > 0 and "\n" .. table.concat(unreported) or ""),
                 seconds = 0}
        end
      else
        local test = T.find(lab.number, e.name)
        res = test and run_scenario(test) or {ok = false, output = "missing test", seconds = 0}
      end
      res.lab, res.name, res.kind, res.points = lab.number, e.name, e.kind, e.points
      res.hidden = e.hidden
      results[#results + 1] = res
      report(label, e.name, res)
      if not res.ok and opts.fail_fast then
        stopped = true
        break
      end
    end
    -- What the binaries reported beyond the manifest, sorted (after a
    -- --fail-fast stop the rest of the manifest was not looked at).
    local extra = {}
    for name in pairs(units) do if not stopped then extra[#extra + 1] = name end end
    table.sort(extra)
    for _, name in ipairs(extra) do
      local res = units[name]
      framework_problems[#framework_problems + 1] = name:sub(1, 1) == "\0" and res.output or
        string.format("unit test %s (build/tests/unit/%s) is not in %s/points", name,
                      res.binary, lab.dir)
    end
  end)
end

local order = {}
if opts.all then
  order = labs
elseif opts.lab then
  if not lab_by_number[opts.lab] then
    local have = {}
    for _, lab in ipairs(labs) do have[#have + 1] = string.format("%02d", lab.number) end
    die(2, "there is no lab %02d (labs: %s)", opts.lab, table.concat(have, " "))
  end
  for i = #labs, 1, -1 do
    local n = labs[i].number
    if n == opts.lab or (n < opts.lab and not opts.only) then order[#order + 1] = labs[i] end
  end
end
-- Bring the binaries up to date for what is about to run, or refuse:
-- a test of a binary older than its source grades code nobody wrote.
local function build_first()
  -- A tree without a Makefile (the framework's own test trees) has
  -- nothing to build.
  local mk = io.open(TREE .. "/Makefile")
  if not mk then return end
  mk:close()
  local args = {"make", "-C", TREE, "--no-print-directory", "lab-build", timeout = 900}
  if opts.lab then
    args[#args + 1] = string.format("LAB=%02d", opts.lab)
    if opts.only then args[#args + 1] = "ONLY=1" end
  end
  -- A make above us (make check) passes its job server through these.
  for _, v in ipairs{"MAKEFLAGS", "MFLAGS", "MAKELEVEL"} do dd.setenv(v, nil) end
  table.insert(args, 4, "-q")
  local ok, r = pcall(dd.exec, args)
  if not ok or r.exit_code == 127 then
    io.stderr:write("drydock: warning: cannot run make to check that the binaries are up ",
                    "to date: testing them as they are\n")
    return
  end
  if r.exit_code == 0 then return end
  table.remove(args, 4)
  table.insert(args, 4, "-s")
  io.stdout:write("Binaries older than their source: rebuilding (make lab-build)\n")
  io.stdout:flush()
  ok, r = pcall(dd.exec, args)
  if not ok or r.exit_code ~= 0 then
    io.stderr:write(ok and (r.stdout .. r.stderr) or tostring(r))
    die(2, "the build failed (see above): fix it first; the old binaries are not tested")
  end
end
build_first()

for _, lab in ipairs(order) do
  if stopped then break end
  run_lab(lab)
end

if opts.core and not stopped then
  with_state_root("the core tests", function()
    for _, test in ipairs(T.tests()) do
      if test.lab == 0 then
        local res = run_scenario(test)
        res.name = test.name
        core_results[#core_results + 1] = res
        report("core", test.name, res)
      end
    end
  end)
end

---------------------------------------------------------------------------
-- Totals and the result files.

local score, max_score = 0, 0
local passed = {unit = 0, scenario = 0, core = 0}
local total = {unit = 0, scenario = 0, core = 0}
local skipped = {unit = 0, scenario = 0, core = 0}  -- neither passed nor scored
for _, res in ipairs(results) do
  max_score = max_score + res.points
  total[res.kind] = total[res.kind] + 1
  if res.ok then
    score = score + res.points
    passed[res.kind] = passed[res.kind] + 1
  end
  if res.skipped then skipped[res.kind] = skipped[res.kind] + 1 end
end
for _, res in ipairs(core_results) do
  total.core = total.core + 1
  if res.ok then passed.core = passed.core + 1 end
  if res.skipped then skipped.core = skipped.core + 1 end
end

local function test_title(res)
  return string.format("lab %02d: %s", res.lab, res.name)
end

local function xml_escape(s)
  s = s:gsub("[%z\1-\8\11\12\14-\31]", "?")
  return (s:gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                              ['"'] = "&quot;", ["'"] = "&apos;"}))
end

local function write_file(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local function write_gradescope(path)
  local tests = {}
  for _, res in ipairs(results) do
    tests[#tests + 1] = {name = test_title(res), score = res.ok and res.points or 0,
                         max_score = res.points, output = res.output or "",
                         visibility = res.hidden and "after_published" or "visible"}
  end
  write_file(path, dd.json_encode({score = score, max_score = max_score,
                                   output = string.format("Score: %d/%d", score, max_score),
                                   visibility = "visible", tests = tests}, {indent = 2}) .. "\n")
end

local function write_junit(path)
  local out = {'<?xml version="1.0" encoding="UTF-8"?>',
               string.format('<testsuites name="drydock labs" tests="%d" failures="%d">',
                             #results, #results - passed.unit - passed.scenario)}
  for _, lab in ipairs(order) do
    local cases, failures, seconds = {}, 0, 0
    for _, res in ipairs(results) do
      if res.lab == lab.number then
        seconds = seconds + (res.seconds or 0)
        cases[#cases + 1] = string.format('    <testcase classname="lab%02d.%s" name="%s" time="%.3f">',
                                          lab.number, res.kind, xml_escape(res.name), res.seconds or 0)
        if res.skipped then
          cases[#cases + 1] = string.format('      <skipped message="%s"/>', xml_escape(res.skipped))
        elseif not res.ok then
          failures = failures + 1
          cases[#cases + 1] = string.format('      <failure message="%s">%s</failure>',
                                            xml_escape((res.output or ""):match("[^\n]*")),
                                            xml_escape(res.output or ""))
        end
        cases[#cases + 1] = "    </testcase>"
      end
    end
    out[#out + 1] = string.format('  <testsuite name="lab %02d" tests="%d" failures="%d" time="%.3f">',
                                  lab.number, #lab.entries, failures, seconds)
    for _, c in ipairs(cases) do out[#out + 1] = c end
    out[#out + 1] = "  </testsuite>"
  end
  out[#out + 1] = "</testsuites>"
  write_file(path, table.concat(out, "\n") .. "\n")
end

local function write_tap(path)
  local out = {"TAP version 13", "1.." .. #results}
  for i, res in ipairs(results) do
    out[#out + 1] = string.format("%s %d - %s%s", res.ok and "ok" or "not ok", i,
                                  (test_title(res):gsub("#", "\\#")),
                                  res.skipped and " # SKIP " .. res.skipped or "")
    out[#out + 1] = "  ---"
    out[#out + 1] = string.format("  points: %d", res.ok and res.points or 0)
    out[#out + 1] = string.format("  max_points: %d", res.points)
    out[#out + 1] = string.format("  duration_ms: %d", math.floor((res.seconds or 0) * 1000))
    if not res.ok and res.output and res.output ~= "" then
      out[#out + 1] = "  output: |"
      out[#out + 1] = indent(res.output)
    end
    out[#out + 1] = "  ..."
  end
  write_file(path, table.concat(out, "\n") .. "\n")
end

if opts.out then
  if dd.exec{"mkdir", "-p", opts.out}.exit_code ~= 0 then die(2, "cannot create %s", opts.out) end
  write_gradescope(opts.out .. "/results.json")
  write_junit(opts.out .. "/junit.xml")
  write_tap(opts.out .. "/results.tap")
end

for _, problem in ipairs(framework_problems) do
  io.stderr:write("drydock: framework error: ", problem, "\n")
end
print(string.format("Passed: unit %d/%d, scenario %d/%d, core %d/%d", passed.unit, total.unit,
                    passed.scenario, total.scenario, passed.core, total.core))
print(string.format("Skipped: unit %d, scenario %d, core %d", skipped.unit, skipped.scenario,
                    skipped.core))
if #order > 0 then print(string.format("Score: %d/%d", score, max_score)) end
if #framework_problems > 0 then os.exit(2) end
if score < max_score or passed.core < total.core then os.exit(1) end
os.exit(0)
