-- ddtest: the scenario-test library.
--
--   local T = require "ddtest"
--
--   T.test{lab = 3, name = "hostname is private", function()
--     local name = T.random_hostname()
--     local r = T.run{hostname = name, cmd = {T.probe, "hostname"}}
--     T.eq(r.probe.hostname, name, "hostname inside")
--   end}
--
-- A test registers itself with T.test; the runner (scripts/lab/run.lua)
-- decides what runs and gives points from labs/NN-name/points.  Tests
-- assert on facts (exit codes, the probe's JSON), never on drydock's
-- screen text unless the test is about the message.
--
-- Assertions raise a failure whose message reads
--   "FILE:LINE: what: expected <x>, saw <y>"
-- A wait that gives up (h:wait, h:read_line) fails the test with a hint
-- of what usually causes a hang (T.test{..., hang_hint = "..."} gives
-- the test's own); any other error is reported with its traceback.
--
-- A test that cannot run here says so with T.skip("reason"): it is
-- reported as skipped with that reason, scores nothing, and fails `make
-- test` unless tests/expected-skips lists it.  A test that returns early
-- without an assertion or a skip passes, so never return early silently.
--
-- Environment: DRYDOCK_BIN (the drydock under test), DRYDOCK_PROBE (host
-- path of build/ddprobe), DRYDOCK_ROOT (the data root; the runner gives
-- each lab a fresh one, and so a fresh run root, <root>/run).
local dd = require "drydock"

-- Test files use `dd` without requiring it; `drydock script` sets it,
-- stock Lua does not.
if rawget(_G, "dd") == nil then _G.dd = dd end

local T = {}

T.image = "probe"   -- the image T.run uses unless told otherwise
-- Tests may call dd.run and dd.spawn directly: give them the same default.
dd.default_image = T.image

local MAX_SHOWN = 200           -- longest string a message quotes in full
local MAX_ITEMS = 8             -- table entries a message shows
local STDERR_SHOWN = 2000       -- container stderr quoted after a failure
local ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

---------------------------------------------------------------------------
-- Rendering values for messages: short, one line, unambiguous.

local render

local function render_string(s)
  if #s > MAX_SHOWN then
    return (string.format("%q... (%d bytes)", s:sub(1, MAX_SHOWN), #s):gsub("\\\n", "\\n"))
  end
  return (string.format("%q", s):gsub("\\\n", "\\n"))
end

local function render_table(t, depth)
  if depth > 2 then return "{...}" end
  local parts, n = {}, 0
  -- The sequence first, in order, then the other keys sorted.
  for i, v in ipairs(t) do
    n = n + 1
    if n <= MAX_ITEMS then parts[#parts + 1] = render(v, depth + 1) end
  end
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= #t) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    n = n + 1
    if n <= MAX_ITEMS then
      local key = type(k) == "string" and k:match("^[%a_][%w_]*$") and k
                  or "[" .. render(k, depth + 1) .. "]"
      parts[#parts + 1] = key .. "=" .. render(t[k], depth + 1)
    end
  end
  if n > MAX_ITEMS then parts[#parts + 1] = "... (" .. n .. " entries)" end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function render(v, depth)
  depth = depth or 0
  if type(v) == "string" then return render_string(v) end
  if type(v) == "table" then return render_table(v, depth) end
  if v == dd.null then return "null" end
  return tostring(v)
end
T.render = render

---------------------------------------------------------------------------
-- Failures.

local Failure = {}
Failure.__index = Failure
Failure.__tostring = function(f)
  return (f.where and f.where .. ": " or "") .. f.message
end

-- Raise a failure located at the test line that called the assertion.
-- level 1 = the function calling fail_at (an assertion), 2 = its caller.
local function fail_at(level, message)
  local info = debug.getinfo(level + 1, "Sl")
  local where = info and info.currentline > 0 and
                (info.short_src:match("[^/]+$") .. ":" .. info.currentline) or nil
  error(setmetatable({message = message, where = where}, Failure), 0)
end

function T.is_failure(e)
  return getmetatable(e) == Failure
end

local Skip = {}
Skip.__index = Skip
Skip.__tostring = function(s) return "skipped: " .. s.reason end

-- T.skip(reason): stop the test here; it is reported as skipped, not
-- passed.  The reason says what is missing ("no cgroup v1 memory controller").
function T.skip(reason)
  if type(reason) ~= "string" or reason == "" then
    error("T.skip needs a reason", 2)
  end
  error(setmetatable({reason = reason}, Skip), 0)
end

local function expected_saw(what, expected, seen)
  return string.format("%s: expected %s, saw %s", what or "value", expected, seen)
end

---------------------------------------------------------------------------
-- Assertions.

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

-- T.eq(seen, expected, what): equal values (tables compared deeply).
function T.eq(seen, expected, what)
  if not deep_equal(seen, expected) then
    fail_at(2, expected_saw(what, render(expected), render(seen)))
  end
  return seen
end

-- T.neq(seen, unexpected, what)
function T.neq(seen, unexpected, what)
  if deep_equal(seen, unexpected) then
    fail_at(2, expected_saw(what, "anything but " .. render(unexpected), render(seen)))
  end
  return seen
end

-- T.ok(cond, what): cond is neither nil nor false.
function T.ok(cond, what)
  if not cond then fail_at(2, expected_saw(what, "true", render(cond))) end
  return cond
end

-- T.match(str, pattern, what): a Lua pattern, e.g. "^%x+$".
-- A string found literally matches too, so a random name holding "-"
-- (a pattern character) can be passed as it is.
function T.match(str, pattern, what)
  if type(str) ~= "string" or not (str:find(pattern) or str:find(pattern, 1, true)) then
    fail_at(2, expected_saw(what, "a string matching " .. render(pattern), render(str)))
  end
  return str
end

-- T.contains(list, value, what): value is an element of list (for a
-- string list: a plain substring).
function T.contains(list, value, what)
  if type(list) == "string" and type(value) == "string" then
    if not list:find(value, 1, true) then
      fail_at(2, expected_saw(what, "text containing " .. render(value), render(list)))
    end
    return list
  end
  if type(list) == "table" then
    for _, v in ipairs(list) do
      if deep_equal(v, value) then return list end
    end
  end
  fail_at(2, expected_saw(what, "a list containing " .. render(value), render(list)))
end

-- T.fail(msg): fail the test with a message of your own.
function T.fail(msg)
  fail_at(2, tostring(msg))
end

---------------------------------------------------------------------------
-- Random values, so answers cannot be hard-coded.

local function random_alnum(n)
  local out = {}
  for i = 1, n do
    local k = math.random(#ALNUM)
    out[i] = ALNUM:sub(k, k)
  end
  return table.concat(out)
end

function T.random_hostname() return "dd-" .. random_alnum(10) end

-- 1..120: never 0 and clear of drydock's own 125, 126 and 127.
function T.random_exit_code() return math.random(1, 120) end

function T.random_name(prefix) return (prefix or "dd") .. random_alnum(8) end

---------------------------------------------------------------------------
-- The running test: clean-ups and the containers it ran.

local current, no_probe   -- {defers = {...}, last_run = {...}} while a test runs

-- T.defer(fn): run fn after the test, even when it fails; last in, first out.
function T.defer(fn)
  assert(current, "T.defer outside a test")
  assert(type(fn) == "function", "T.defer needs a function")
  table.insert(current.defers, fn)
end

-- T.tmpdir(): a new directory, removed after the test.
function T.tmpdir()
  local dir = dd.mkdtemp("ddtest-")
  if current then T.defer(function() dd.rm_rf(dir) end) end
  return dir
end

-- The JSON object on the last line of a probe's stdout, if there is one.
local function last_json(stdout)
  local last = stdout:match("([^\n]+)\n*$")
  if not last or not last:find("^%s*{") then return nil end
  local ok, value = pcall(dd.json_decode, last)
  if ok and type(value) == "table" then return value end
end

-- What r.probe is when the probe printed no JSON: reading any field of
-- it fails the test saying what probably happened, not "attempt to
-- index a nil value".
function no_probe(command, r)
  local why
  if r.exit_code == 125 then
    why = "drydock itself failed (exit 125) before the probe ran"
  elseif r.exit_code == 127 or r.exit_code == 126 then
    why = "the probe could not be run (exit " .. r.exit_code .. "): the command did not reach exec"
  elseif r.exit_code > 128 then
    why = "the container was killed by signal " .. (r.exit_code - 128) .. " before the probe reported"
  else
    why = "the probe exited with " .. r.exit_code .. " without printing its report"
  end
  return setmetatable({}, {__index = function(_, key)
    fail_at(2, string.format("no probe result for '%s' (reading probe.%s): %s", command,
                             tostring(key), why))
  end})
end

-- T.run{...}: dd.run with T.image as the default image; r.probe is the
-- decoded JSON of the last line of stdout.  A failing test's report
-- shows the last container's stderr.
function T.run(opts)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.image = o.image or T.image
  local r = dd.run(o)
  local words = {o.image}
  for _, w in ipairs(o.cmd or {}) do words[#words + 1] = tostring(w) end
  r.probe = last_json(r.stdout) or no_probe(table.concat(words, " "), r)
  if current then
    current.last_run = {command = table.concat(words, " "), result = r}
  end
  return r
end

-- dd.spawn as tests call it, so that a failure after it quotes no
-- earlier container's stderr: a spawned container's stderr is in the
-- message of the h:wait or h:read_line that gave up on it.
local spawn = dd.spawn
dd.spawn = function(opts)
  local h = spawn(opts)
  if current then current.last_run = nil end
  return h
end

---------------------------------------------------------------------------
-- Where the probe is.  Until lab 07 (rootfs) is done a container runs in
-- the host's root, so the probe is the host's build/ddprobe; afterwards
-- it is the image's /bin/ddprobe.

local facts = {}

local function rootfs_done()
  if facts.rootfs_done == nil then
    facts.rootfs_done = false
    for _, c in ipairs(dd.info().chapters) do
      if c.chapter == 7 then facts.rootfs_done = c.implemented == true end
    end
  end
  return facts.rootfs_done
end

local function host_probe()
  local p = os.getenv("DRYDOCK_PROBE")
  if p and p ~= "" then return p end
  -- Beside the drydock binary, as build/ holds both.
  return (dd.bin():gsub("[^/]*$", "") .. "ddprobe")
end

setmetatable(T, {__index = function(_, key)
  if key == "probe" then return rootfs_done() and "/bin/ddprobe" or host_probe() end
  if key == "host_probe" then return host_probe() end
  if key == "in_host_root" then return not rootfs_done() end
end})

---------------------------------------------------------------------------
-- Images a test builds: the probe image with edit(stage) applied to its
-- unpacked root (a symlink where a directory was, say), imported under a
-- random name and removed after the test.

local function run_ok(argv, what)
  local r = dd.exec(argv)
  if r.exit_code ~= 0 then
    fail_at(3, what .. " failed: " .. r.stderr:gsub("\n$", ""))
  end
end

function T.probe_image_with(edit)
  local dir = T.tmpdir()
  local images = os.getenv("DRYDOCK_IMAGES")
  if not images or images == "" then images = dd.bin():gsub("[^/]*$", "") .. "images" end
  local stage = dir .. "/stage"
  run_ok({"mkdir", "-p", stage}, "making the stage")
  run_ok({"tar", "-xf", images .. "/probe.tar", "-C", stage}, "unpacking the probe image")
  edit(stage)
  local out = dir .. "/image.tar"
  run_ok({"tar", "--create", "--file", out, "--directory", stage, "--numeric-owner", "."},
         "packing the image")
  local name = T.random_name("img")
  dd.import{file = out, name = name}
  T.defer(function() dd.exec{os.getenv("DRYDOCK_BIN") or dd.bin(), "rmi", name} end)
  return name
end

---------------------------------------------------------------------------
-- The registry.

local registry, by_key = {}, {}

-- T.test{lab = N, name = "...", function() ... end}
function T.test(spec)
  assert(type(spec) == "table", "T.test{lab = N, name = \"...\", function() ... end}")
  local lab, name, fn = spec.lab, spec.name, spec[1] or spec.fn
  if math.type(lab) ~= "integer" or lab < 0 then error("T.test: lab must be an integer >= 0", 2) end
  if type(name) ~= "string" or name == "" then error("T.test: name must be a string", 2) end
  if type(fn) ~= "function" then error("T.test: '" .. name .. "' has no function", 2) end
  local key = lab .. "\0" .. name
  if by_key[key] then
    error(string.format("T.test: lab %02d already has a test named '%s' (%s)", lab, name,
                        by_key[key].source), 2)
  end
  local info = debug.getinfo(2, "Sl")
  local test = {lab = lab, name = name, fn = fn, file = info.source:gsub("^@", ""),
                hang_hint = spec.hang_hint,
                source = info.short_src .. ":" .. info.currentline}
  by_key[key] = test
  registry[#registry + 1] = test
end

-- Every registered test, in registration order.
function T.tests() return registry end

function T.find(lab, name) return by_key[lab .. "\0" .. name] end

function T.reset() registry, by_key = {}, {} end

---------------------------------------------------------------------------
-- Running one test.

local function indent(text)
  return (text:gsub("\n+$", ""):gsub("\n", "\n  "))
end

local function tail(text, n)
  if #text <= n then return text end
  return "... " .. text:sub(-n)
end

-- A container's stderr with the runtime's warnings about labs not done
-- yet folded into one line at the end, so what went wrong comes first.
function T.fold_warnings(text)
  local kept, labs = {}, {}
  for line in text:gmatch("[^\n]+") do
    local lab = line:match("is not implemented yet %(lab (%d+)%)")
    if lab then labs[#labs + 1] = lab else kept[#kept + 1] = line end
  end
  if #labs > 0 then
    kept[#kept + 1] = string.format("(and %d warning%s that lab%s %s %s not done yet)", #labs,
                                    #labs == 1 and "" or "s", #labs == 1 and "" or "s",
                                    table.concat(labs, ", "), #labs == 1 and "is" or "are")
  end
  return table.concat(kept, "\n")
end

-- What a test that waited too long usually means, for the report.
local HANG_HINT = "a container that does not exit usually means a signal that never " ..
                  "reached the command, or an init that waits for every process " ..
                  "instead of for the command"

-- The line of the test file that was running when e was raised.
local function test_line(file)
  for level = 3, 40 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == "@" .. file and info.currentline > 0 then
      return info.short_src:match("[^/]+$") .. ":" .. info.currentline
    end
  end
end

-- Run test (from T.tests()) and return {ok = bool, skipped = reason or
-- nil, output = text, seconds = n}.  Clean-ups always run; one that fails
-- fails the test (a skipped one too).
function T.run_test(test)
  current = {defers = {}}
  local t0 = dd.monotonic()
  local ok, err = xpcall(test.fn, function(e)
    if T.is_failure(e) or getmetatable(e) == Skip then return e end
    -- A wait that gave up is a failed expectation, not a bug in the test.
    if type(e) == "string" and e:find("still running after") then
      return setmetatable({where = test_line(test.file),
                           message = T.fold_warnings(e:gsub("^[^:]*:%d+: ", "")) ..
                                     "\n  hint: " .. (test.hang_hint or HANG_HINT)}, Failure)
    end
    -- The traceback down to the test function; the runner's frames are noise.
    local tb = debug.traceback(tostring(e), 2)
    return (tb:gsub("\n%s*%[C%]: in function 'xpcall'.*$", ""))
  end)
  local out = {}
  local skipped = not ok and getmetatable(err) == Skip and err.reason or nil
  if not ok then out[#out + 1] = tostring(err) end
  for i = #current.defers, 1, -1 do
    local cok, cerr = pcall(current.defers[i])
    if not cok then
      ok, skipped = false, nil  -- a skip whose clean-up failed is a failure
      out[#out + 1] = "clean-up failed: " .. tostring(cerr)
    end
  end
  local run = current.last_run
  if not ok and not skipped and run and run.result.stderr ~= "" then
    out[#out + 1] = "container stderr (" .. run.command .. "):\n  " ..
                    indent(tail(T.fold_warnings(run.result.stderr), STDERR_SHOWN))
  end
  current = nil
  return {ok = ok, skipped = skipped, output = table.concat(out, "\n"),
          seconds = dd.monotonic() - t0}
end

return T
