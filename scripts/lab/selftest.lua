-- selftest.lua: the test framework tests itself.
--
--   build/drydock script scripts/lab/selftest.lua
--
-- Checks that ddtest's assertions fail when they should and say what
-- they saw, that the drydock module builds the right command lines
-- (against a fake drydock, no containers needed), that JSON survives a
-- round trip, and that the runner scores, times out and refuses a test
-- missing from its manifest.  Prints one line per check and, last,
-- "Selftest: N passed, N failed"; exits 1 if any failed.
local dd = require "drydock"
local T = require "ddtest"

local checks, failed = 0, 0
local scratch = dd.mkdtemp("ddself-")

local function check(name, fn)
  checks = checks + 1
  local ok, err = xpcall(fn, function(e) return debug.traceback(tostring(e), 2) end)
  if ok then
    print("selftest: " .. name .. ": OK")
  else
    failed = failed + 1
    print("selftest: " .. name .. ": FAIL\n    " .. tostring(err):gsub("\n", "\n    "))
  end
end

-- The failure an assertion raises, as text; errors if it raised none.
local function failure_of(fn)
  local ok, err = pcall(fn)
  assert(not ok, "the assertion did not fail")
  assert(T.is_failure(err), "raised a plain error instead of a failure: " .. tostring(err))
  return tostring(err)
end

local function write(path, text, mode)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  if mode then assert(dd.exec{"chmod", mode, path}.exit_code == 0) end
end

---------------------------------------------------------------------------
-- ddtest's assertions.

check("T.eq passes on equal values, tables compared deeply", function()
  T.eq(3, 3, "number")
  T.eq({a = {1, 2}, b = "x"}, {b = "x", a = {1, 2}}, "table")
end)

check("T.eq fails with 'what: expected <x>, saw <y>' at the calling line", function()
  local msg = failure_of(function() T.eq(3, 2, "exit code") end)
  assert(msg:find("exit code: expected 2, saw 3", 1, true), msg)
  assert(msg:find("^selftest%.lua:%d+: "), "no location in: " .. msg)
  msg = failure_of(function() T.eq("a\nb", "c", "text") end)
  assert(msg:find('expected "c", saw "a\\nb"', 1, true), msg)
end)

check("long strings are cut in messages", function()
  local msg = failure_of(function() T.eq(string.rep("x", 5000), "y", "big") end)
  assert(#msg < 400 and msg:find("5000 bytes", 1, true), msg)
end)

check("T.neq, T.ok, T.match, T.contains, T.fail fail when they should", function()
  T.neq(1, 2, "differs")
  assert(failure_of(function() T.neq(1, 1, "same") end):find("expected anything but 1, saw 1"))
  T.ok(0, "zero is true in Lua")
  assert(failure_of(function() T.ok(nil, "thing") end):find("thing: expected true, saw nil"))
  T.match("abc123", "^%a+%d+$", "pattern")
  T.match("dd-no-such", "dd-no-such", "literal with '-'")
  assert(failure_of(function() T.match(nil, "x", "m") end):find("matching \"x\", saw nil"))
  T.contains({"a", "b"}, "b", "list")
  T.contains("hello world", "o w", "text")
  assert(failure_of(function() T.contains({"a"}, "z", "l") end):find('containing "z"'))
  assert(failure_of(function() T.fail("plain message") end):find("plain message", 1, true))
end)

check("random values have their documented shape", function()
  for _ = 1, 50 do
    local c = T.random_exit_code()
    assert(c >= 1 and c <= 120, c)
  end
  assert(T.random_hostname():find("^dd%-[a-z0-9]+$") and #T.random_hostname() == 13)
  assert(T.random_name("x-"):find("^x%-[a-z0-9]+$"))
  assert(T.random_name() ~= T.random_name())
end)

---------------------------------------------------------------------------
-- Running tests: results, defers, errors.

check("a failing test reports its failure; defers run last-in first-out", function()
  local order, dir = {}, nil
  local r = T.run_test{fn = function()
    dir = T.tmpdir()
    T.defer(function() order[#order + 1] = 1 end)
    T.defer(function() order[#order + 1] = 2 end)
    T.eq(1, 2, "one")
  end}
  assert(not r.ok and r.output:find("one: expected 2, saw 1", 1, true), r.output)
  assert(order[1] == 2 and order[2] == 1, "defer order")
  assert(not io.open(dir), "T.tmpdir was not removed")
end)

check("an error in a test fails it with the traceback", function()
  local r = T.run_test{fn = function() local t = nil; return t.x end}
  assert(not r.ok and r.output:find("attempt to index") and r.output:find("traceback"), r.output)
  r = T.run_test{fn = function() end}
  assert(r.ok and r.output == "", "an empty test passes")
  r = T.run_test{fn = function() T.defer(function() error("cannot clean") end) end}
  assert(not r.ok and r.output:find("clean-up failed", 1, true), "a failing clean-up fails the test")
end)

check("T.skip reports a skip with its reason, never a pass", function()
  local r = T.run_test{fn = function() T.skip("no cgroup v1 here") end}
  assert(not r.ok and r.skipped == "no cgroup v1 here", "skipped: " .. tostring(r.skipped))
  assert(not pcall(T.skip), "T.skip without a reason")
  r = T.run_test{fn = function()
    T.defer(function() error("cannot clean") end)
    T.skip("why")
  end}
  assert(not r.ok and not r.skipped, "a skip whose clean-up failed is a failure")
end)

check("ddtap reads cmocka's TAP by number and charges sanitizer reports to their test", function()
  local tap = require "ddtap"
  local r = tap.read(table.concat({
    "1..5", "ok 1 - test_a", "ok 1 - test_a", "not ok 2 - test_b", "# 0x1 != 0x2",
    "no cgroup v1", "not ok 3 # SKIP test_c",
    "x.c:1:2: runtime error: signed integer overflow", "ok 4 - test_d",
    "==7==ERROR: AddressSanitizer: heap-use-after-free", "    #0 0x1 in test_e x.c:9",
    "SUMMARY: AddressSanitizer: heap-use-after-free x.c:9 in test_e"}, "\n"), 1)
  local status = {}
  for _, t in ipairs(r.tests) do status[#status + 1] = t.name .. "=" .. t.status end
  assert(table.concat(status, " ") ==
         "test_a=ok test_b=fail test_c=skip test_d=fail test_e=fail", table.concat(status, " "))
  assert(r.tests[3].reason == "no cgroup v1", "skip reason: " .. tostring(r.tests[3].reason))
  assert(r.passed == 1 and r.failed == 3 and r.skipped == 1, "counts")
  assert(#r.problems == 1 and r.problems[1]:find("test 1 where test 2"), "the second 'ok 1'")
  r = tap.read("1..1\nok 1 - test_a\n# ok - g\n", 3)
  assert(#r.problems == 1 and r.problems[1]:find("exited with 3"), "an exit no test explains")
  r = tap.read("1..2\nok 1 - test_a\n", 139)
  assert(r.failed == 1 and r.tests[2].output:find("never reported"), "a test that never reported")
  local leak = "==9==ERROR: LeakSanitizer: detected memory leaks\nSUMMARY: 9 byte(s) leaked\n"
  r = tap.read("1..2\nok 1 - test_a\nnot ok 2 - test_b\n# not ok - g\n" .. leak, 23)
  assert(r.passed == 1 and #r.problems == 0 and r.tests[2].output:find("at exit"),
         "a leak at exit goes to the failed test")
  r = tap.read("1..1\nok 1 - test_a\n# ok - g\n" .. leak, 23)
  assert(r.passed == 1 and #r.problems == 1, "a leak at exit with no failure is the binary's")
end)

check("T.test refuses a duplicate name in a lab", function()
  local fn = function() end
  T.test{lab = 99, name = "dup", fn}
  local ok, err = pcall(T.test, {lab = 99, name = "dup", fn})
  assert(not ok and tostring(err):find("already has a test named 'dup'"), tostring(err))
  T.test{lab = 98, name = "dup", fn}
  T.reset()
end)

---------------------------------------------------------------------------
-- JSON.

check("JSON round trip", function()
  local v = {a = {1, 2, {b = dd.null}}, s = "é\"\n", i = 42, f = 1.5, t = true, e = {}}
  local back = dd.json_decode(dd.json_encode(v))
  T.eq(back, v, "round trip")
  assert(math.type(back.i) == "integer" and math.type(back.f) == "float")
  T.eq(dd.json_encode({}), "[]", "an empty table")
  T.eq(dd.json_encode({b = 1, a = 2}), '{"a":2,"b":1}', "keys sorted")
  T.eq(dd.json_decode("null"), dd.null, "null")
  T.eq(dd.json_decode(dd.json_encode("bad\255byte")), "bad\u{FFFD}byte", "invalid UTF-8")
  assert(not pcall(dd.json_decode, "{nope"), "bad JSON raises")
  assert(not pcall(dd.json_encode, {[{}] = 1}), "a table key raises")
  assert(not pcall(dd.json_encode, {f = print}), "a function raises")
end)

---------------------------------------------------------------------------
-- Host helpers and processes.

check("dd.exec: exit code, both streams at once, stdin", function()
  local r = dd.exec{"sh", "-c", "echo out; echo err >&2; exit 3"}
  T.eq({r.exit_code, r.stdout, r.stderr}, {3, "out\n", "err\n"}, "result")
  -- 4 MiB on each stream and 4 MiB in: a read-then-wait would deadlock.
  local big = string.rep("y", 4 << 20)
  r = dd.exec{"sh", "-c", "cat; head -c 4194304 /dev/zero >&2", stdin = big}
  T.eq(#r.stdout, #big, "bytes echoed")
  T.eq(#r.stderr, 4 << 20, "bytes on stderr")
  r = dd.exec{"sh", "-c", "kill -USR1 $$"}
  T.eq({r.exit_code, r.signal}, {128 + 10, 10}, "killed by a signal")
  assert(not pcall(dd.exec, {"/nonexistent/cmd"}), "a missing program raises")
end)

check("a timeout kills the command and what it started", function()
  -- A grandchild with a unique command line, to look for afterwards.
  local marker = string.format("sleep 29.%06d", math.random(0, 999999))
  local t0 = dd.monotonic()
  local ok, err = pcall(dd.exec, {"sh", "-c", marker .. " & wait", timeout = 0.5})
  assert(not ok and tostring(err):find("still running after 0.5 s"), tostring(err))
  assert(dd.monotonic() - t0 < 10, "took too long")
  T.eq(dd.exec{"pgrep", "-f", marker}.exit_code, 1, "pgrep exit code for the grandchild")
end)

check("dd.mounts, dd.random_hex, dd.mkdtemp, dd.rm_rf, dd.sleep", function()
  local root
  for _, m in ipairs(dd.mounts()) do if m.target == "/" then root = m end end
  assert(root and root.fstype and root.source, "/ is in dd.mounts()")
  T.match(dd.random_hex(7), "^%x%x%x%x%x%x%x$", "random_hex(7)")
  local dir = dd.mkdtemp("ddself-")
  write(dir .. "/f", "x")
  dd.rm_rf(dir)
  T.eq(io.open(dir), nil, "the removed directory")
  local t0 = dd.monotonic()
  dd.sleep(50)
  assert(dd.monotonic() - t0 >= 0.045, "dd.sleep(50) slept")
end)

---------------------------------------------------------------------------
-- The command lines dd.run and dd.spawn build, against a fake drydock
-- that prints its arguments one per line.

local real_bin = dd.bin()
local fake = scratch .. "/fake-drydock"
write(fake, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n' ..
            'if [ -n "$FAKE_CAT" ]; then cat; fi\nexit ${FAKE_EXIT:-0}\n', "755")

local function argv_of(opts)
  dd.setenv("DRYDOCK_BIN", fake)
  local ok, r = pcall(dd.run, opts)
  dd.setenv("DRYDOCK_BIN", real_bin)
  if not ok then error(r, 0) end
  local args = {}
  for line in r.stdout:gmatch("[^\n]+") do args[#args + 1] = line end
  return args, r
end

check("dd.run builds `drydock run` flags from the options", function()
  local args = argv_of{image = "img", cmd = {"sh", "-c", "x y"}, name = "n", hostname = "h",
                       env = {"Z=9", B = "2", A = 1}, env_file = "/e", workdir = "/w",
                       volumes = {"/a:/b", "/c:/d:ro"}, tmpfs = {"/t"}, read_only = true,
                       init = true, interactive = true, uts = "host", pid = "host",
                       root = "/r", extra = {"--x"}}
  T.eq(args, {"--root", "/r", "run", "--rm", "--name", "n", "--hostname", "h",
              "-e", "Z=9", "-e", "A=1", "-e", "B=2", "--env-file", "/e", "--workdir", "/w",
              "--volume", "/a:/b", "--volume", "/c:/d:ro", "--tmpfs", "/t", "--read-only",
              "--init", "--interactive", "--uts", "host", "--pid", "host", "--x",
              "img", "sh", "-c", "x y"}, "argv")
  T.eq(argv_of{image = "img", rm = false}, {"run", "img"}, "argv with rm = false")
end)

check("bad option types raise errors naming the field", function()
  local cases = {
    {{image = "i", cmd = "echo hi"}, "'cmd'"}, {{image = "i", name = 3}, "'name'"},
    {{image = "i", rm = "yes"}, "'rm'"}, {{image = "i", env = {A = {}}}, "env.A"},
    {{image = "i", volumes = {{}}}, "'volumes'"}, {{image = "i", colour = 1}, "'colour'"},
    {{image = "i", timeout = -1}, "'timeout'"}, {{cmd = {"x"}}, "'image'"},
  }
  local saved = dd.default_image
  dd.default_image = nil
  for _, case in ipairs(cases) do
    local ok, err = pcall(dd.run, case[1])
    assert(not ok and tostring(err):find(case[2], 1, true),
           "expected an error naming " .. case[2] .. ", got " .. tostring(err))
  end
  dd.default_image = saved
end)

check("stdin reaches drydock; exit codes come back", function()
  dd.setenv("FAKE_CAT", "1")
  dd.setenv("FAKE_EXIT", "7")
  local _, r = argv_of{image = "img", stdin = "piped\n"}
  dd.setenv("FAKE_CAT", nil)
  dd.setenv("FAKE_EXIT", nil)
  T.eq(r.exit_code, 7, "exit code")
  T.match(r.stdout, "piped\n$", "stdin echoed")
end)

check("spawn handles: read_line, kill, wait, timeouts, collection", function()
  local loop = scratch .. "/loop"
  write(loop, "#!/bin/sh\ntrap 'echo bye; exit 42' TERM\necho ready\nprintf 'par'\n" ..
              "sleep 0.2\necho tial\nwhile :; do sleep 0.05; done\n", "755")
  dd.setenv("DRYDOCK_BIN", loop)
  local h = dd.spawn{image = "x"}
  dd.setenv("DRYDOCK_BIN", real_bin)
  T.eq(h:read_line(5000), "ready", "first line")
  T.eq(h:read_line(50), nil, "half a line within 50 ms")
  T.eq(h:read_line(5000), "partial", "the line once complete")
  assert(not pcall(h.wait, h, 0.2), "wait times out while it runs")
  T.eq(h:kill("TERM"), true, "kill")
  local r = h:wait(5)
  T.eq({r.exit_code, r.stdout}, {42, "bye\n"}, "after SIGTERM")
  T.eq(h:kill("TERM"), false, "kill after exit")
  -- A handle nobody waits for is killed and reaped when collected.
  dd.setenv("DRYDOCK_BIN", loop)
  local pid = dd.spawn{image = "x"}:pid()
  dd.setenv("DRYDOCK_BIN", real_bin)
  collectgarbage()
  collectgarbage()
  T.eq(io.open("/proc/" .. pid .. "/stat"), nil, "/proc entry of the collected handle's process")
end)

---------------------------------------------------------------------------
-- The runner on a tree of its own: scores, missing tests, timeouts,
-- tests missing from the manifest.

local function fake_tree(points, tests)
  local tree = dd.mkdtemp("ddself-tree-")
  for _, d in ipairs{"/labs/01-first", "/tests/integration", "/scripts/lab", "/build"} do
    assert(dd.exec{"mkdir", "-p", tree .. d}.exit_code == 0)
  end
  local src = debug.getinfo(1, "S").short_src:gsub("selftest%.lua$", "run.lua")
  assert(dd.exec{"cp", src, tree .. "/scripts/lab/run.lua"}.exit_code == 0)
  write(tree .. "/build/ddprobe", "")
  write(tree .. "/labs/01-first/points", points)
  write(tree .. "/tests/integration/01-first.lua", 'local T = require "ddtest"\n' .. tests)
  return tree
end

local function run_runner(tree, ...)
  local argv = {real_bin, "script", tree .. "/scripts/lab/run.lua", ...}
  dd.setenv("DRYDOCK_PROBE", tree .. "/build/ddprobe")
  local r = dd.exec(argv)
  dd.setenv("DRYDOCK_PROBE", nil)
  return r
end

check("the runner scores a lab, reports missing tests and writes results", function()
  local tree = fake_tree("# comment\n2 scenario passes\n3 scenario fails\n1 scenario absent\n" ..
                         "1 unit test_not_built\n",
                         'T.test{lab = 1, name = "passes", function() T.eq(1, 1, "one") end}\n' ..
                         'T.test{lab = 1, name = "fails", function() T.eq(1, 2, "one") end}\n')
  local r = run_runner(tree, "--lab", "1", "--out", tree .. "/out")
  T.eq(r.exit_code, 1, "exit code below full marks")
  T.match(r.stdout, "== lab 01 == passes: OK %(%d+%.%ds%)", "the passing line")
  T.match(r.stdout, "== lab 01 == fails: FAIL.-one: expected 2, saw 1", "the failure")
  T.match(r.stdout, "absent: FAIL.-missing test", "the missing test")
  T.match(r.stdout, "Score: 2/7\n$", "the last line")
  local results = dd.json_decode(assert(io.open(tree .. "/out/results.json")):read("a"))
  T.eq({results.score, results.max_score, #results.tests}, {2, 7, 4}, "results.json")
  T.eq(results.tests[1].name, "lab 01: passes", "a test's name in results.json")
  T.match(assert(io.open(tree .. "/out/junit.xml")):read("a"), "<failure", "junit.xml")
  T.match(assert(io.open(tree .. "/out/results.tap")):read("a"), "^TAP version 13\n1%.%.4\n", "TAP")
  dd.rm_rf(tree)
end)

check("the runner gives full marks exit 0 and times out a hung test", function()
  local tree = fake_tree("1 scenario quick\n1 scenario hangs\n",
                         'T.test{lab = 1, name = "quick", function() end}\n' ..
                         'T.test{lab = 1, name = "hangs", function() dd.sleep(30000) end}\n')
  local t0 = dd.monotonic()
  local r = run_runner(tree, "--all", "--timeout", "1")
  T.eq(r.exit_code, 1, "exit code with a hung test")
  T.match(r.stdout, "hangs: FAIL.-timed out", "the hung test")
  assert(dd.monotonic() - t0 < 15, "the runner waited too long")
  write(tree .. "/labs/01-first/points", "1 scenario quick\n")
  write(tree .. "/tests/integration/01-first.lua",
        'local T = require "ddtest"\nT.test{lab = 1, name = "quick", function() end}\n')
  r = run_runner(tree, "--lab", "01", "--only")
  T.eq(r.exit_code, 0, "exit code on full marks")
  T.match(r.stdout, "Score: 1/1\n$", "score")
  dd.rm_rf(tree)
end)

check("a test missing from the manifest is a framework error", function()
  local tree = fake_tree("1 scenario listed\n",
                         'T.test{lab = 1, name = "listed", function() end}\n' ..
                         'T.test{lab = 1, name = "unlisted", function() end}\n')
  local r = run_runner(tree, "--all")
  T.eq(r.exit_code, 2, "exit code")
  T.match(r.stderr, "unlisted", "the message names the test")
  dd.rm_rf(tree)
end)

check("--fail-fast stops at the first failed test; hidden tests are after_published", function()
  local tree = fake_tree("1 scenario first\n1 scenario fails\n1 scenario never\n",
                         'T.test{lab = 1, name = "first", function() end}\n' ..
                         'T.test{lab = 1, name = "fails", function() T.fail("no") end}\n' ..
                         'T.test{lab = 1, name = "never", function() end}\n')
  local r = run_runner(tree, "--lab", "1", "--fail-fast")
  T.eq(r.exit_code, 1, "exit code")
  T.match(r.stdout, "fails: FAIL", "the failure")
  T.eq(r.stdout:find("never", 1, true), nil, "a test after the failure ran")
  assert(dd.exec{"mkdir", "-p", tree .. "/tests/hidden/integration"}.exit_code == 0)
  write(tree .. "/labs/01-first/points.hidden", "2 scenario secret\n")
  write(tree .. "/tests/hidden/integration/01-first.lua",
        'local T = require "ddtest"\nT.test{lab = 1, name = "secret", function() end}\n')
  r = run_runner(tree, "--lab", "1", "--out", tree .. "/out")
  local results = dd.json_decode(assert(io.open(tree .. "/out/results.json")):read("a"))
  local vis = {}
  for _, t in ipairs(results.tests) do vis[t.name] = t.visibility end
  T.eq(vis["lab 01: secret"], "after_published", "the hidden test's visibility")
  T.eq(vis["lab 01: first"], "visible", "a visible test's visibility")
  T.eq(results.max_score, 5, "max_score with the hidden test")
  dd.rm_rf(tree)
end)

check("the runner rebuilds stale binaries first, and refuses when that fails", function()
  local tree = fake_tree("1 scenario quick\n", 'T.test{lab = 1, name = "quick", function() end}\n')
  write(tree .. "/src", "1\n")
  write(tree .. "/Makefile", "lab-build: build/made\nbuild/made: src\n\tcp src build/made\n")
  local r = run_runner(tree, "--lab", "1")
  T.eq(r.exit_code, 0, "exit code after a rebuild")
  T.match(r.stdout, "rebuilding", "the runner says it rebuilds")
  T.eq(assert(io.open(tree .. "/build/made")):read("a"), "1\n", "what the rebuild made")
  dd.sleep(20)
  write(tree .. "/src", "2\n")
  write(tree .. "/Makefile", "lab-build: build/made\nbuild/made: src\n\tfalse\n")
  r = run_runner(tree, "--lab", "1")
  T.eq(r.exit_code, 2, "exit code when the build fails")
  T.match(r.stderr, "the old binaries are not tested", "the refusal")
  T.eq(r.stdout:find("quick: OK", 1, true), nil, "a test ran on stale binaries")
  dd.rm_rf(tree)
end)

check("a wait that gives up fails with a hint; runtime warnings fold into one line", function()
  T.test{lab = 0, name = "selftest hang", function() error("h:wait: x: still running after 1 s") end}
  local res = T.run_test(T.find(0, "selftest hang"))
  T.eq(res.ok, false, "the test's result")
  T.match(res.output, "^selftest%.lua:%d+: h:wait: x: still running after 1 s", "where and what")
  T.match(res.output, "hint: ", "the hint")
  local folded = T.fold_warnings("drydock: chapter 09 (net) is not implemented yet (lab 09): x\n" ..
                                 "real\ndrydock: chapter 11 (c) is not implemented yet (lab 11): y\n")
  T.eq(folded, "real\n(and 2 warnings that labs 09, 11 are not done yet)", "folded stderr")
end)

dd.rm_rf(scratch)
print(string.format("Selftest: %d passed, %d failed", checks - failed, failed))
os.exit(failed == 0 and 0 or 1)
