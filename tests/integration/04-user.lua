-- Lab 04: user namespaces, subordinate ids, -u, and drydock without root.
local T = require "ddtest"

local BIN = os.getenv("DRYDOCK_BIN") or dd.bin()

local function sh(argv, what)
  local r = dd.exec(argv)
  T.eq(r.exit_code, 0, what .. " (" .. r.stderr:gsub("\n$", "") .. ")")
  return r.stdout
end

local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- Copies of /etc/subuid and /etc/subgid holding another user's range at
-- a random place, so drydock must find a free one around it; the test's
-- own DRYDOCK_SUBUID/SUBGID point at them while it runs.
local function subid_files(text)
  local dir = T.tmpdir()
  local start = 100000 + 65536 * math.random(0, 50)
  text = text or string.format("someone:%d:65536\n# a comment\n", start)
  write(dir .. "/subuid", text)
  write(dir .. "/subgid", text)
  dd.setenv("DRYDOCK_SUBUID", dir .. "/subuid")
  dd.setenv("DRYDOCK_SUBGID", dir .. "/subgid")
  T.defer(function()
    dd.setenv("DRYDOCK_SUBUID", nil)
    dd.setenv("DRYDOCK_SUBGID", nil)
  end)
  return dir, text
end

local function drydock_range(path)
  local s, n = read(path):match("\ndrydock:(%d+):(%d+)\n")
  return tonumber(s), tonumber(n)
end

-- The probe as a container of other ids can run it.  Once lab 07 is
-- done it is the image's /bin/ddprobe; before, the container runs in the
-- host's root, where build/ddprobe may sit below directories only the
-- host's root may enter: then a copy in a directory open to all.
local function probe()
  if T.probe == "/bin/ddprobe" then return T.probe end
  local dir = T.tmpdir()
  sh({"chmod", "755", dir}, "opening the probe's directory")
  sh({"cp", T.probe, dir .. "/ddprobe"}, "copying the probe")
  return dir .. "/ddprobe"
end

local function containers()
  return #sh({BIN, "ps", "-aq"}, "drydock ps -aq"):gsub("%s+", "")
end

T.test{lab = 4, name = "--userns private maps the container's root onto drydock's own range", function()
  local dir, before = subid_files()
  local r = T.run{userns = "private", cmd = {probe(), "uid", "gid", "uid_map", "gid_map"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local start, count = drydock_range(dir .. "/subuid")
  T.ok(start, "a drydock line was added to the subuid file")
  T.eq(read(dir .. "/subuid"):sub(1, #before), before, "the file's other lines, kept as they were")
  T.eq(count, 65536, "the size of drydock's range")
  local other = tonumber(before:match("someone:(%d+)"))
  T.ok(start + count <= other or start >= other + 65536, "drydock's range overlaps no other")
  T.eq(r.probe.uid, 0, "uid inside")
  T.eq(r.probe.gid, 0, "gid inside")
  T.eq(#r.probe.uid_map, 1, "lines of the uid map")
  T.eq(r.probe.uid_map[1][1], 0, "the map's first id inside")
  T.eq(r.probe.uid_map[1][2], start, "the host id of the container's root")
  T.eq(r.probe.uid_map[1][3], 65536, "the map's size")
  local gstart = drydock_range(dir .. "/subgid")
  T.eq(r.probe.gid_map[1][2], gstart, "the host gid of the container's root")
  -- The second container takes the same range: the file grows no more.
  local again = read(dir .. "/subuid")
  T.eq(T.run{userns = "private", cmd = {probe(), "uid"}}.exit_code, 0, "second run")
  T.eq(read(dir .. "/subuid"), again, "the subuid file after a second run")
  -- --userns host, root's default, keeps the host's ids.
  local h = T.run{userns = "host", cmd = {T.probe, "uid_map"}}
  T.eq(h.exit_code, 0, "probe exit code with --userns host")
  T.eq(h.probe.uid_map[1][2], 0, "first id outside with --userns host")
  T.eq(h.probe.uid_map[1][3], 4294967295, "the whole range with --userns host")
end}

T.test{lab = 4, name = "with --userns private a file written in a volume belongs to the mapped host id", function()
  local dir = subid_files()
  local vol = T.tmpdir()
  sh({"chmod", "1777", vol}, "opening the volume to all")
  local name = T.random_name("f")
  -- Before lab 07 a container sees the host's files: no volume needed.
  local inside = T.probe == "/bin/ddprobe" and "/vol/" or vol .. "/"
  local r = T.run{userns = "private", volumes = T.probe == "/bin/ddprobe" and {vol .. ":/vol"} or nil,
                  cmd = {probe(), "--write", inside .. name .. "=x"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local uid = tonumber(sh({"stat", "-c", "%u", vol .. "/" .. name}, "stat"))
  local gid = tonumber(sh({"stat", "-c", "%g", vol .. "/" .. name}, "stat"))
  T.eq(uid, (drydock_range(dir .. "/subuid")), "the file's owner on the host")
  T.eq(gid, (drydock_range(dir .. "/subgid")), "the file's group on the host")
  T.neq(uid, 0, "the owner is not the host's root")
end}

-- An image whose /etc/passwd and /etc/group name a user of random ids,
-- member of two groups.
local function image_with_user()
  local u = {name = T.random_name("u"), uid = math.random(1000, 30000),
             gid = math.random(1000, 30000), g1 = math.random(30001, 40000),
             g2 = math.random(40001, 50000), gname = T.random_name("g")}
  u.image = T.probe_image_with(function(stage)
    sh({"mkdir", "-p", stage .. "/etc"}, "mkdir etc")
    write(stage .. "/etc/passwd", string.format(
      "root:x:0:0:root:/root:/bin/sh\n%s:x:%d:%d:test:/home/%s:/bin/sh\n",
      u.name, u.uid, u.gid, u.name))
    write(stage .. "/etc/group", string.format(
      "root:x:0:\n%s:x:%d:\nfirst:x:%d:%s\nsecond:x:%d:root,%s\n",
      u.gname, u.gid, u.g1, u.name, u.g2, u.name))
  end)
  return u
end

local function groups_of(status)
  local g = {}
  for n in (status:match("Groups:([^\n]*)") or ""):gmatch("%d+") do g[#g + 1] = tonumber(n) end
  table.sort(g)
  return g
end

T.test{lab = 4, name = "-u NAME takes the uid, gid, home and groups from the image", function()
  local u = image_with_user()
  local r = T.run{image = u.image, user = u.name,
                  cmd = {probe(), "uid", "gid", "env", "--read", "/proc/self/status"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.uid, u.uid, "uid")
  T.eq(r.probe.gid, u.gid, "gid")
  T.eq(r.probe.env.HOME, "/home/" .. u.name, "$HOME")
  local g = groups_of(r.probe.actions[1].content)
  T.eq(#g, 2, "supplementary groups")
  T.eq(g[1], u.g1, "first group")
  T.eq(g[2], u.g2, "second group")
  local caps = r.probe.actions[1].content:match("CapEff:%s*(%x+)")
  T.eq(caps, "0000000000000000", "effective capabilities of a user other than root")
end}

T.test{lab = 4, name = "-u UID:GROUP and --group-add give those ids and no others", function()
  local u = image_with_user()
  local uid, extra = math.random(50001, 60000), math.random(60001, 65000)
  local r = T.run{image = u.image, user = uid .. ":" .. u.gname, group_add = {tostring(extra)},
                  userns = "private",
                  cmd = {probe(), "uid", "gid", "--read", "/proc/self/status"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.uid, uid, "uid")
  T.eq(r.probe.gid, u.gid, "gid of the named group")
  local g = groups_of(r.probe.actions[1].content)
  T.eq(#g, 1, "supplementary groups")
  T.eq(g[1], extra, "the --group-add group")
end}

T.test{lab = 4, name = "bad users and ranges exit 125 and create nothing", function()
  local u = image_with_user()
  local before = containers()
  -- The same image and range with a good user works: the refusals below
  -- are about what they name.
  subid_files()
  T.eq(T.run{image = u.image, user = u.name, userns = "private", cmd = {probe()}}.exit_code, 0,
       "exit code for the image's own user")
  local r = T.run{image = u.image, user = T.random_name("nobody"), cmd = {"true"}}
  T.eq(r.exit_code, 125, "exit code for a user the image lacks")
  T.eq(T.run{image = u.image, user = u.name .. ":" .. T.random_name("nogroup"),
             cmd = {"true"}}.exit_code, 125, "exit code for a group the image lacks")
  T.eq(T.run{userns = T.random_name("mode"), cmd = {"true"}}.exit_code, 125,
       "exit code for an unknown --userns")
  local small = math.random(10, 65535)
  local dir = subid_files(string.format("drydock:200000:%d\n", small))
  T.eq(T.run{userns = "private", cmd = {"true"}}.exit_code, 125, "exit code for a small range")
  T.eq(read(dir .. "/subuid"), string.format("drydock:200000:%d\n", small),
       "the subuid file after a refused run")
  subid_files("drydock:200000:65536\nother:230000:65536\n")
  T.eq(T.run{userns = "private", cmd = {"true"}}.exit_code, 125, "exit code for an overlap")
  subid_files("drydock:200000\n")
  T.eq(T.run{userns = "private", cmd = {"true"}}.exit_code, 125, "exit code for a bad line")
  T.eq(containers(), before, "containers left behind")
end}

-- A real unprivileged user, made for the test with a subordinate range
-- and removed afterwards with it.
T.test{lab = 4, name = "an unprivileged user runs a container in user, mount, PID, UTS, IPC and network namespaces", function()
  if not dd.exec{"sh", "-c", "command -v useradd && command -v newuidmap && command -v setpriv"}.stdout:find("setpriv") then
    T.fail("useradd, newuidmap (uidmap) and setpriv are needed: make deps installs them")
  end
  local name = T.random_name("ddu")
  local start = 1000000 + 65536 * math.random(0, 100)
  sh({"useradd", "--no-create-home", "--shell", "/bin/sh", name}, "useradd")
  T.defer(function() dd.exec{"userdel", name} end)
  -- useradd may have given it a range already; ours replaces it.
  dd.exec{"usermod", "--del-subuids", "0-4294967294", "--del-subgids", "0-4294967294", name}
  sh({"usermod", "--add-subuids", start .. "-" .. (start + 65535),
      "--add-subgids", start .. "-" .. (start + 65535), name}, "usermod")
  local uid = tonumber(sh({"id", "-u", name}, "id -u"))
  local gid = tonumber(sh({"id", "-g", name}, "id -g"))
  -- What the user runs must be the user's to reach.
  local dir = T.tmpdir()
  sh({"chmod", "755", dir}, "chmod")
  sh({"cp", BIN, dir .. "/drydock"}, "copying drydock")
  local images = os.getenv("DRYDOCK_IMAGES")
  if not images or images == "" then images = BIN:gsub("[^/]*$", "") .. "images" end
  sh({"mkdir", dir .. "/images"}, "mkdir")
  sh({"cp", images .. "/probe.tar", dir .. "/images/"}, "copying the probe image")
  sh({"cp", os.getenv("DRYDOCK_PROBE") or BIN:gsub("[^/]*$", "") .. "ddprobe", dir .. "/ddprobe"}, "copying the probe")
  sh({"mkdir", dir .. "/home"}, "mkdir")
  sh({"chown", name, dir .. "/home"}, "chown")
  local probe = T.probe == "/bin/ddprobe" and T.probe or dir .. "/ddprobe"
  local host_ns = {}
  for _, ns in ipairs{"user", "mnt", "pid", "uts", "ipc", "net"} do
    host_ns[ns] = dd.exec{"readlink", "/proc/self/ns/" .. ns}.stdout:match("%[(%d+)%]")
  end
  local hostname = T.random_hostname()
  local r = dd.exec{"setpriv", "--reuid=" .. uid, "--regid=" .. gid, "--init-groups",
                    "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" .. dir .. "/home",
                    "DRYDOCK_IMAGES=" .. dir .. "/images",
                    dir .. "/drydock", "run", "--rm", "--hostname", hostname, "probe",
                    probe, "uid", "gid", "uid_map", "ns", "hostname", "--write", "/made=x"}
  T.eq(r.exit_code, 0, "exit code of the run without root (" .. r.stderr:gsub("\n$", "") .. ")")
  local p = dd.json_decode(r.stdout:match("([^\n]+)\n*$"))
  T.eq(p.uid, 0, "uid inside")
  T.eq(p.uid_map[1][2], uid, "the container's root is the user")
  T.eq(p.uid_map[2][2], start, "its other ids are the user's subordinate ones")
  T.eq(p.hostname, hostname, "hostname inside")
  for ns, ino in pairs(host_ns) do
    T.neq(tostring(p.ns[ns]):match("(%d+)"), ino, ns .. " namespace differs from the host's")
  end
  -- State went where the user's state goes, and nothing is left of it.
  T.ok(dd.exec{"test", "-d", dir .. "/home/.local/share/drydock"}.exit_code == 0,
       "state under $HOME/.local/share/drydock")
  local left = dd.exec{"find", dir .. "/home/.local/share/drydock/containers", "-mindepth", "1"}
  T.eq(left.stdout, "", "container directories left behind")
  -- What needs root says so.
  local rr = dd.exec{"setpriv", "--reuid=" .. uid, "--regid=" .. gid, "--init-groups",
                     "env", "-i", "PATH=/usr/bin:/bin", "HOME=" .. dir .. "/home",
                     "DRYDOCK_IMAGES=" .. dir .. "/images",
                     dir .. "/drydock", "run", "--rm", "--userns", "host", "probe", "true"}
  T.eq(rr.exit_code, 125, "exit code of --userns host without root")
end}
