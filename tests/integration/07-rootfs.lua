-- Lab 07: the container's own root file system.
local T = require "ddtest"

T.test{lab = 7, name = "only the container's processes are in /proc", function()
  local r = T.run{cmd = {T.probe, "pid", "procs", "mounts"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.pid, 1, "probe pid")
  T.eq(#r.probe.procs, 1, "processes listed in /proc (the probe alone)")
  T.eq(r.probe.procs[1].pid, 1, "the one process listed")
end}

T.test{lab = 7, name = "host files are unreachable and cd /.. stays at the root", function()
  local dir = T.tmpdir()
  local secret = dir .. "/" .. T.random_name("secret-")
  local f = assert(io.open(secret, "w")); f:write("host"); f:close()
  local r = T.run{cmd = {"sh", "-c", "cd /.. && cd .. && " .. T.probe ..
                         " --stat " .. secret .. " --stat / --stat /bin/ddprobe cwd root"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local a = r.probe.actions
  T.eq(a[1].exists, false, "the host's file " .. secret .. " seen inside")
  T.eq(r.probe.cwd, "/", "where cd /.. leads")
  T.eq(a[2].ino, r.probe.root.ino, "inode of / after cd /..")
  T.eq(a[3].exists, true, "the image's /bin/ddprobe inside")
end}

T.test{lab = 7, name = "volumes are read-write and :ro is read-only", function()
  local rw, ro = T.tmpdir(), T.tmpdir()
  local word, seen = T.random_name("w"), T.random_name("s")
  local f = assert(io.open(ro .. "/seen", "w")); f:write(seen); f:close()
  local r = T.run{volumes = {rw .. ":/data", ro .. ":/ro:ro"},
                  cmd = {T.probe, "--write", "/data/out=" .. word, "--read", "/ro/seen",
                         "--write", "/ro/new=x"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local got = assert(io.open(rw .. "/out")):read("a")
  T.eq(got, word, "what the host reads from the rw volume")
  T.eq(r.probe.actions[2].content, seen, "what the container reads from the ro volume")
  T.eq(r.probe.actions[3].errno, 30, "errno writing to the :ro volume (EROFS)")
  T.eq(io.open(ro .. "/new"), nil, "file written to the ro volume on the host")
end}

T.test{lab = 7, name = "--read-only root refuses writes, tmpfs stays writable", function()
  local r = T.run{read_only = true, tmpfs = {"/scratch"},
                  cmd = {T.probe, "--write", "/etc/" .. T.random_name("f") .. "=x",
                         "--write", "/scratch/ok=y", "mounts"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.actions[1].errno, 30, "errno writing to the read-only root (EROFS)")
  T.eq(r.probe.actions[2].error, nil, "error writing to the tmpfs")
  local fstype
  for _, m in ipairs(r.probe.mounts) do
    if m.target == "/scratch" then fstype = m.fstype end
  end
  T.eq(fstype, "tmpfs", "file system at /scratch")
end}

T.test{lab = 7, name = "/dev is minimal, /proc is fresh and /sys is read-only", function()
  local r = T.run{cmd = {T.probe, "--stat", "/dev/null", "--stat", "/dev/sda",
                         "--stat", "/dev/vda", "--write", "/dev/null=x", "mounts"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local a = r.probe.actions
  T.eq(a[1].type, "char", "type of /dev/null")
  T.eq(a[2].exists, false, "/dev/sda inside")
  T.eq(a[3].exists, false, "/dev/vda inside")
  T.eq(a[4].error, nil, "error writing to /dev/null")
  local by_target = {}
  for _, m in ipairs(r.probe.mounts) do by_target[m.target] = m end
  T.eq(by_target["/proc"] and by_target["/proc"].fstype, "proc", "file system at /proc")
  T.eq(by_target["/sys"] and by_target["/sys"].fstype, "sysfs", "file system at /sys")
  T.match(by_target["/sys"].options, "^ro", "mount options of /sys")
  T.eq(by_target["/dev/pts"] and by_target["/dev/pts"].fstype, "devpts", "file system at /dev/pts")
end}

T.test{lab = 7, name = "a missing workdir is created inside the image", function()
  local dir = "/" .. T.random_name("work") .. "/" .. T.random_name("sub")
  local r = T.run{workdir = dir, cmd = {T.probe, "cwd"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.cwd, dir, "working directory")
  T.eq(io.open(dir), nil, "the directory on the host")
end}

T.test{lab = 7, name = "a container's writes do not change the image", function()
  local name = "/etc/" .. T.random_name("note")
  local r = T.run{cmd = {T.probe, "--write", name .. "=x"}}
  T.eq(r.probe.actions[1].error, nil, "error writing " .. name)
  r = T.run{cmd = {T.probe, "--stat", name}}
  T.eq(r.probe.actions[1].exists, false, name .. " in a new container")
end}

-- The attacks of ddprobe --escape, from inside: ".." from "/", a chroot
-- and climb out of it, /proc/N/root of any process in sight, and an rbind
-- of /proc/self/root/ peeled mount by mount.  A chroot(2) in place of
-- pivot_root(2) falls to the climb; an old root left attached under the
-- new one, to the rbind.
T.test{lab = 7, name = "no way out of the root reaches a host file", function()
  local dir = T.tmpdir()
  local secret, word = dir .. "/" .. T.random_name("secret-"), dd.random_hex(16)
  local f = assert(io.open(secret, "w")); f:write(word); f:close()
  -- Privileged, so the attempts test the root itself, not the
  -- confinement of chapter 16 (which alone would stop the rbind).
  local r = T.run{privileged = true, cmd = {T.probe, "--escape", secret, "root"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local a = r.probe.actions[1]
  T.eq(#a.attempts, 4, "ways out the probe tried")
  for _, try in ipairs(a.attempts) do
    T.eq(try.content, nil, "what '" .. try.how .. "' read of the host's " .. secret)
    T.eq(try.reached, false, "'" .. try.how .. "' reached " .. secret)
  end
end}

-- /proc/self/mountinfo inside: the container's root is the one mount at
-- "/", and the host's root file system is not mounted anywhere (it would
-- be, were the old root only stacked under the new one).
T.test{lab = 7, name = "the mount table holds one root and not the host's", function()
  local host = dd.exec{T.host_probe, "mounts"}
  T.eq(host.exit_code, 0, "exit code of the probe on the host")
  local host_root
  for _, m in ipairs(dd.json_decode(host.stdout:match("([^\n]+)\n?$")).mounts) do
    if m.target == "/" then host_root = m end
  end
  T.ok(host_root, "the host's root in its mount table")
  local r = T.run{cmd = {T.probe, "mounts"}}
  T.eq(r.exit_code, 0, "probe exit code")
  local roots = 0
  for _, m in ipairs(r.probe.mounts) do
    if m.target == "/" then roots = roots + 1 end
    T.ok(not (m.dev == host_root.dev and m.root == host_root.root),
         "the host's root (" .. host_root.dev .. " " .. host_root.root .. ") mounted at " ..
         m.target .. " inside")
  end
  T.eq(roots, 1, "mounts at / inside")
end}

-- CVE-2021-30465: a volume or tmpfs whose target in the image is a
-- symlink to an absolute path is mounted inside the root, never onto
-- the host's path of the same name.
T.test{lab = 7, name = "a volume or tmpfs target that is a symlink to a host path lands inside the root", function()
  local src, host_a, host_b = T.tmpdir(), T.tmpdir(), T.tmpdir()
  local word = T.random_name("w")
  local image = T.probe_image_with(function(stage)
    -- The same paths exist in the image, so the links resolve there too.
    T.eq(dd.exec{"mkdir", "-p", stage .. host_a, stage .. host_b}.exit_code, 0, "making the targets")
    T.eq(dd.exec{"ln", "-s", host_a, stage .. "/data"}.exit_code, 0, "linking /data")
    T.eq(dd.exec{"ln", "-s", host_b, stage .. "/scratch"}.exit_code, 0, "linking /scratch")
  end)
  local r = T.run{image = image, volumes = {src .. ":/data"}, tmpfs = {"/scratch"},
                  cmd = {"/bin/ddprobe", "--write", "/data/out=" .. word,
                         "--write", "/scratch/t=" .. word, "mounts"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.actions[1].error, nil, "error writing into the volume")
  T.eq(assert(io.open(src .. "/out")):read("a"), word, "what the volume's source holds")
  T.eq(io.open(host_a .. "/out"), nil, "a file in the host's " .. host_a)
  T.eq(io.open(host_b .. "/t"), nil, "a file in the host's " .. host_b)
  for _, m in ipairs(dd.mounts()) do
    T.neq(m.target, host_a, "a host mount at " .. host_a)
    T.neq(m.target, host_b, "a host mount at " .. host_b)
  end
end}
