-- Lab 16: confinement as Docker's defaults, and the runc CVEs as tests.
local T = require "ddtest"

local BIN = os.getenv("DRYDOCK_BIN") or dd.bin()

-- Docker's 14 default capabilities, by number (linux/capability.h).
local DEFAULT_CAPS = {
  CHOWN = 0, DAC_OVERRIDE = 1, FOWNER = 3, FSETID = 4, KILL = 5, SETGID = 6, SETUID = 7,
  SETPCAP = 8, NET_BIND_SERVICE = 10, NET_RAW = 13, SYS_CHROOT = 18, MKNOD = 27,
  AUDIT_WRITE = 29, SETFCAP = 31,
}
-- Some capabilities outside the default set, any of which --cap-add may give.
local EXTRA_CAPS = {NET_ADMIN = 12, SYS_PTRACE = 19, SYS_ADMIN = 21, SYS_NICE = 23,
                    SYS_TIME = 25, IPC_LOCK = 14, SYS_BOOT = 22}

local function mask(caps)
  local m = 0
  for _, bit in pairs(caps) do m = m | (1 << bit) end
  return m
end

local function hex(m) return string.format("%016x", m) end

local function pick(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local k = keys[math.random(#keys)]
  return k, t[k]
end

-- A line "Key:\tvalue" of a /proc/N/status text.
local function status_field(text, key)
  return text and text:match(key .. ":%s*(%S+)")
end

local function sh(argv, what)
  local r = dd.exec(argv)
  T.eq(r.exit_code, 0, what .. " (" .. r.stderr:gsub("\n$", "") .. ")")
  return r.stdout
end

local function state_root()
  local root = os.getenv("DRYDOCK_ROOT")
  assert(root and root ~= "", "DRYDOCK_ROOT is not set")
  return root
end

-- How many containers the state root holds (a refused run makes none).
local function containers()
  local r = dd.exec{BIN, "ps", "-a", "-q"}
  local n = 0
  for _ in r.stdout:gmatch("%S+") do n = n + 1 end
  return n
end

T.test{lab = 16, name = "the capability sets are Docker's default ones, for the init too", function()
  local want = hex(mask(DEFAULT_CAPS))
  for _, init in ipairs{false, true} do
    local r = T.run{init = init, cmd = {T.probe, "--read", "/proc/1/status", "caps"}}
    T.eq(r.exit_code, 0, "probe exit code")
    local c = r.probe.caps
    T.eq(c.bnd, want, "bounding set")
    T.eq(c.eff, want, "effective set")
    T.eq(c.prm, want, "permitted set")
    T.eq(c.inh, hex(0), "inheritable set")
    T.eq(c.amb, hex(0), "ambient set")
    T.eq(c.no_new_privs, 0, "no_new_privs without the option (Docker's default)")
    -- PID 1: the probe itself, or the init that forked it.
    local pid1 = r.probe.actions[1].content
    T.eq(status_field(pid1, "CapBnd"), want, "bounding set of PID 1 (init " .. tostring(init) .. ")")
    T.eq(status_field(pid1, "CapEff"), want, "effective set of PID 1 (init " .. tostring(init) .. ")")
    T.eq(status_field(pid1, "CapPrm"), want, "permitted set of PID 1 (init " .. tostring(init) .. ")")
    T.eq(status_field(pid1, "Seccomp"), "2", "seccomp mode of PID 1 (init " .. tostring(init) .. ")")
  end
end}

T.test{lab = 16, name = "--cap-drop ALL leaves none and --cap-add gives one back", function()
  local name, bit = pick(EXTRA_CAPS)
  local r = T.run{cap_drop = {"ALL"}, cmd = {T.probe, "caps"}}
  T.eq(r.exit_code, 0, "probe exit code with --cap-drop ALL")
  for _, set in ipairs{"bnd", "eff", "prm", "inh", "amb"} do
    T.eq(r.probe.caps[set], hex(0), set .. " with --cap-drop ALL")
  end
  r = T.run{cap_add = {name:lower()}, cap_drop = {"CHOWN"}, cmd = {T.probe, "caps"}}
  T.eq(r.exit_code, 0, "probe exit code with --cap-add " .. name)
  local want = (mask(DEFAULT_CAPS) | (1 << bit)) & ~(1 << DEFAULT_CAPS.CHOWN)
  T.eq(r.probe.caps.eff, hex(want), "effective set with --cap-add " .. name .. " --cap-drop CHOWN")
  T.eq(r.probe.caps.bnd, hex(want), "bounding set with --cap-add " .. name .. " --cap-drop CHOWN")
  r = T.run{cap_drop = {"ALL"}, cap_add = {name}, cmd = {T.probe, "caps"}}
  T.eq(r.probe.caps.prm, hex(1 << bit), "permitted set with --cap-drop ALL --cap-add " .. name)
end}

T.test{lab = 16, name = "seccomp is on and refuses keyctl with EPERM; unconfined lifts it", function()
  local calls = {"--syscall", "keyctl", "--syscall", "keyctl32", "--syscall", "personality",
                 "--syscall", "unshare", "--syscall", "mount", "caps"}
  local r = T.run{cmd = {T.probe, table.unpack(calls)}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.caps.seccomp, 2, "seccomp mode (2: a filter)")
  local a = r.probe.actions
  T.eq(a[1].errno, 1, "errno of keyctl (EPERM)")
  T.eq(a[2].errno, 1, "errno of keyctl through the 32-bit entry (EPERM)")
  T.eq(a[3].errno, 1, "errno of personality(PER_BSD) (EPERM)")
  T.eq(a[4].errno, 1, "errno of unshare without CAP_SYS_ADMIN (EPERM)")
  T.eq(a[5].errno, 1, "errno of mount without CAP_SYS_ADMIN (EPERM)")
  r = T.run{security_opt = {"seccomp=unconfined"}, cmd = {T.probe, table.unpack(calls)}}
  T.eq(r.probe.caps.seccomp, 0, "seccomp mode with seccomp=unconfined")
  T.eq(r.probe.actions[1].errno, nil, "errno of keyctl with seccomp=unconfined")
  T.eq(r.probe.actions[2].errno, nil, "errno of 32-bit keyctl with seccomp=unconfined")
  T.eq(r.probe.actions[3].errno, nil, "errno of personality with seccomp=unconfined")
end}

-- The masked and read-only paths this kernel has (a VM may lack some).
local MASKED = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                "/proc/acpi", "/proc/scsi", "/sys/firmware", "/proc/latency_stats",
                "/proc/timer_stats"}
local function host_has(path) return dd.exec{"test", "-e", path}.exit_code == 0 end
local function host_is_dir(path) return dd.exec{"test", "-d", path}.exit_code == 0 end

T.test{lab = 16, name = "masked paths read as empty and /proc/sys, /proc/sysrq-trigger refuse writes", function()
  local args, checks = {}, {}
  for _, p in ipairs(MASKED) do
    if host_has(p) then
      local dir = host_is_dir(p)
      checks[#checks + 1] = {path = p, dir = dir}
      args[#args + 1] = "--stat"
      args[#args + 1] = p
      if not dir then args[#args + 1] = "--read"; args[#args + 1] = p end
    end
  end
  T.ok(#checks >= 2, "masked paths this kernel has (" .. #checks .. ")")
  local word = T.random_name("d")
  args[#args + 1] = "--write"; args[#args + 1] = "/proc/sys/kernel/domainname=" .. word
  if host_has("/proc/sysrq-trigger") then
    args[#args + 1] = "--write"; args[#args + 1] = "/proc/sysrq-trigger=h"
  end
  args[#args + 1] = "--stat"; args[#args + 1] = "/proc"
  args[#args + 1] = "--stat"; args[#args + 1] = "/sys"
  local r = T.run{cmd = {T.probe, table.unpack(args)}}
  T.eq(r.exit_code, 0, "probe exit code")
  local a, i = r.probe.actions, 1
  local top_dev = {proc = a[#a - 1].dev, sys = a[#a].dev}
  for _, c in ipairs(checks) do
    if c.dir then
      T.neq(a[i].dev, top_dev[c.path:match("^/(%a+)")],
            c.path .. ": a file system of its own over it (an empty tmpfs)")
      i = i + 1
    else
      T.eq(a[i].type, "char", c.path .. " is /dev/null")
      T.eq(a[i + 1].content, "", "what " .. c.path .. " reads")
      i = i + 2
    end
  end
  T.eq(a[i].errno, 30, "errno writing /proc/sys/kernel/domainname (EROFS)")
  if host_has("/proc/sysrq-trigger") then
    T.eq(a[i + 1].errno, 30, "errno writing /proc/sysrq-trigger (EROFS)")
  end
end}

T.test{lab = 16, name = "--privileged lifts the capabilities, the filter and the masks", function()
  local host = dd.exec{"cat", "/proc/self/status"}.stdout
  local word = T.random_name("d")
  local base = T.run{cmd = {T.probe, "caps"}}
  T.eq(base.probe.caps.seccomp, 2, "seccomp mode without --privileged (what it lifts)")
  local r = T.run{privileged = true,
                  cmd = {T.probe, "--syscall", "keyctl", "--stat", "/proc/keys",
                         "--write", "/proc/sys/kernel/domainname=" .. word, "caps", "domainname"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.caps.bnd, status_field(host, "CapBnd"), "bounding set (the host's)")
  T.eq(r.probe.caps.eff, status_field(host, "CapBnd"), "effective set (the host's bounding set)")
  T.eq(r.probe.caps.seccomp, 0, "seccomp mode")
  T.eq(r.probe.actions[1].errno, nil, "errno of keyctl")
  T.eq(r.probe.actions[2].type, "file", "/proc/keys is the kernel's file")
  T.eq(r.probe.actions[3].errno, nil, "errno writing /proc/sys/kernel/domainname")
  T.eq(r.probe.domainname, word, "the domain name written through /proc/sys")
end}

T.test{lab = 16, name = "no-new-privileges sets the flag for the container's processes", function()
  local r = T.run{security_opt = {"no-new-privileges"}, init = true,
                  cmd = {T.probe, "--read", "/proc/1/status", "caps"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.caps.no_new_privs, 1, "no_new_privs of the command")
  T.eq(status_field(r.probe.actions[1].content, "NoNewPrivs"), "1", "no_new_privs of the init")
end}

T.test{lab = 16, name = "a seccomp profile file is applied; a bad one exits 125 and creates nothing", function()
  local dir = T.tmpdir()
  local errno_ret = math.random(2, 120)
  local good = dir .. "/profile.json"
  local f = assert(io.open(good, "w"))
  f:write(string.format([[{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d}]}]], errno_ret))
  f:close()
  local r = T.run{security_opt = {"seccomp=" .. good}, cmd = {T.probe, "--syscall", "keyctl",
                                                           "--syscall", "personality", "caps"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.caps.seccomp, 2, "seccomp mode")
  T.eq(r.probe.actions[1].errno, errno_ret, "errno of keyctl under the profile")
  T.eq(r.probe.actions[2].errno, nil, "errno of personality (allowed by the profile)")
  local bad = {
    {"not json", "{\"defaultAction\": "},
    {"an unknown system call", [[{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["]] .. T.random_name("keyctl_") .. [["], "action": "SCMP_ACT_ERRNO"}]}]]},
  }
  local before = containers()
  for _, b in ipairs(bad) do
    local p = dir .. "/" .. T.random_name("bad") .. ".json"
    f = assert(io.open(p, "w")); f:write(b[2]); f:close()
    r = T.run{security_opt = {"seccomp=" .. p}, cmd = {T.probe}}
    T.eq(r.exit_code, 125, "exit code with a profile that is " .. b[1])
    T.match(r.stderr, p, "the message names the file")
  end
  T.eq(containers(), before, "containers after the refused runs")
end}

T.test{lab = 16, name = "an unknown capability exits 125 and creates nothing", function()
  local before = containers()
  local name = "CAP_" .. T.random_name("BOGUS"):upper()
  for _, opts in ipairs{{cap_add = {name}}, {cap_drop = {name}}} do
    opts.cmd = {T.probe}
    local r = T.run(opts)
    T.eq(r.exit_code, 125, "exit code with " .. name)
    T.match(r.stderr, name, "the message names the capability")
  end
  T.eq(containers(), before, "containers after the refused runs")
end}

T.test{lab = 16, name = "--ulimit sets limits within the host's and refuses a hard limit above it", function()
  local host_hard = tonumber(dd.exec{"sh", "-c", "ulimit -Hn"}.stdout:match("%d+"))
  local soft = math.random(64, 512)
  local hard = soft + math.random(1, 256)
  local r = T.run{ulimits = {"nofile=" .. soft .. ":" .. hard}, cmd = {T.probe, "limits"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.limits.nofile, {soft, hard}, "nofile limits inside")
  local has_resource = status_field(dd.exec{"cat", "/proc/self/status"}.stdout, "CapEff")
  if host_hard and (tonumber(has_resource, 16) & (1 << 24)) == 0 then
    local before = containers()
    r = T.run{ulimits = {"nofile=64:" .. (host_hard + 1)}, cmd = {T.probe, "limits"}}
    T.eq(r.exit_code, 125, "exit code with a hard limit above the host's " .. host_hard)
    T.match(r.stderr, "CAP_SYS_RESOURCE", "the message says what raising it needs")
    T.eq(containers(), before, "containers after the refused run")
  end
end}

-- CVE-2024-21626: descriptors drydock was given (or opened) must not
-- reach the container, or a working directory through /proc/self/fd
-- leads out of its root.
T.test{lab = 16, name = "no descriptor reaches the container and -w /proc/self/fd/N stays inside", function()
  local dir = T.tmpdir()
  local fd = math.random(5, 9) -- sh redirects single digits only
  local leak = string.format("exec 3<%s %d<%s; exec ", dir, fd, dir)
  local function run(extra)
    return dd.exec{"sh", "-c", leak .. "\"$0\" --root \"$1\" run --rm " .. extra ..
                   " probe /bin/ddprobe fds cwd", BIN, state_root()}
  end
  local r = run("")
  T.eq(r.exit_code, 0, "probe exit code (" .. r.stderr .. ")")
  local probe = dd.json_decode(r.stdout:match("([^\n]+)\n*$"))
  T.eq(probe.fds, {0, 1, 2}, "open descriptors inside")
  for _, n in ipairs{3, fd} do
    r = run("-w /proc/self/fd/" .. n)
    local last = r.stdout:match("([^\n]+)\n*$")
    if r.exit_code == 0 then
      probe = dd.json_decode(last)
      T.neq(probe.cwd, dd.null, "cwd reachable from the root with -w /proc/self/fd/" .. n)
      T.ok(probe.cwd:sub(1, #dir) ~= dir, "cwd is not the host's " .. dir)
    else
      T.ok(r.exit_code == 125 or r.exit_code == 126, "refused with -w /proc/self/fd/" .. n ..
           " (exit " .. r.exit_code .. ")")
    end
  end
end}

-- CVE-2019-16884 and its family: the runtime's /proc mount and masks
-- must not follow a symlink of the image into a tree it controls.
T.test{lab = 16, name = "an image whose /proc, /sys or /dev is a symlink is refused", function()
  for _, which in ipairs{"proc", "sys", "dev"} do
    local fake = "/" .. T.random_name("fake")
    local image = T.probe_image_with(function(stage)
      sh({"rm", "-rf", stage .. "/" .. which}, "removing /" .. which)
      sh({"mkdir", "-p", stage .. fake}, "making " .. fake)
      sh({"ln", "-s", fake, stage .. "/" .. which}, "linking /" .. which)
    end)
    local before = containers()
    local r = T.run{image = image, cmd = {"/bin/ddprobe", "--stat", "/proc/keys", "caps"}}
    T.eq(r.exit_code, 125, "exit code with /" .. which .. " -> " .. fake)
    T.eq(containers(), before, "containers after the refused run")
  end
end}

-- CVE-2019-5736: the drydock binary must not be reachable for writing
-- through /proc/PID/exe of drydock's process inside (the --init).
T.test{lab = 16, name = "the --init's /proc/1/exe is never the host's drydock binary", function()
  local host = sh({"stat", "-L", "-c", "%d:%i", BIN}, "stat of the binary"):gsub("%s+$", "")
  for _, privileged in ipairs{false, true} do
    local r = T.run{init = true, privileged = privileged,
                    cmd = {"sh", "-c", "stat -L -c %d:%i /proc/1/exe; " ..
                           "/bin/ddprobe --write /proc/1/exe=x caps"}}
    local seen = r.stdout:match("^(%d+:%d+)")
    T.neq(seen, host, "device:inode of /proc/1/exe (privileged " .. tostring(privileged) .. ")")
    T.ok(r.probe and r.probe.actions[1].errno, "opening /proc/1/exe for writing fails")
  end
end}
