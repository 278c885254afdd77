-- Lab 06: a private mount tree.
--
-- Each test makes a tmpfs of its own on the host and marks it shared, so
-- a missing MS_PRIVATE shows up as a leak whatever the host's own
-- propagation is.  The container must meet that shared mount where it
-- really lives: until lab 07 is done it runs in the host's root and sees
-- the tmpfs at its host path; afterwards the tmpfs is its volume at
-- /shared.  A bind mount of a shared mount joins its peer group, so
-- without MS_PRIVATE the volume would pass mounts both ways: lab 06 is
-- graded on a real leak in every later lab too.
local T = require "ddtest"

local VOLUME = "/shared"

local function host_has_source(source)
  for _, m in ipairs(dd.mounts()) do
    if m.source == source then return m end
  end
end

-- A shared tmpfs on the host, unmounted (with whatever leaked into it)
-- after the test.  Returns the host directory, the run options that put
-- it in front of the container, and the path the container knows it by.
local function shared_dir()
  local dir = T.tmpdir()
  T.eq(dd.exec{"mount", "-t", "tmpfs", "-o", "size=1m", T.random_name("ddpeer-"), dir}.exit_code,
       0, "mounting the test's tmpfs")
  T.defer(function() dd.exec{"umount", "-R", "-l", dir} end)
  T.eq(dd.exec{"mount", "--make-shared", dir}.exit_code, 0, "making it shared")
  dd.exec{"mkdir", dir .. "/sub"}
  if T.in_host_root then return dir, {}, dir end
  return dir, {volumes = {dir .. ":" .. VOLUME}}, VOLUME
end

local function last_json(text)
  return dd.json_decode(text:match("([^\n]+)\n?$"))
end

local function with(opts, more)
  for k, v in pairs(more) do opts[k] = v end
  return opts
end

T.test{lab = 6, name = "a mount made inside is invisible on the host", function()
  local _, opts, inside_dir = shared_dir()
  local source = T.random_name("ddin-")
  -- Mounting needs CAP_SYS_ADMIN and a filter that allows mount(2):
  -- --privileged, as with Docker, once chapter 16 confines containers.
  local r = T.run(with(opts, {privileged = true,
                              cmd = {"sh", "-c", "mount -t tmpfs " .. source .. " " ..
                                     inside_dir .. "/sub && " .. T.probe .. " mounts"}}))
  T.eq(r.exit_code, 0, "exit code of mount inside")
  local inside = false
  for _, m in ipairs(r.probe.mounts) do
    if m.source == source then inside = true end
  end
  T.ok(inside, "the tmpfs is mounted inside")
  T.ok(not host_has_source(source), "the tmpfs '" .. source .. "' is absent on the host")
end}

T.test{lab = 6, name = "a host mount made after start is invisible inside", function()
  local dir, opts = shared_dir()
  local source = T.random_name("ddhost-")
  local h = dd.spawn(with(opts, {cmd = {"sh", "-c", "trap '" .. T.probe .. " mounts; exit 0' USR1; " ..
                                        "echo ready; while :; do sleep 0.05; done"}}))
  T.defer(function() h:kill("KILL"); h:wait() end)
  T.eq(h:read_line(10000), "ready", "the container's first line")
  T.eq(dd.exec{"mount", "-t", "tmpfs", source, dir .. "/sub"}.exit_code, 0, "mount on the host")
  h:kill("USR1")
  local r = h:wait(10)
  T.eq(r.exit_code, 0, "container exit code")
  local seen = false
  for _, mnt in ipairs(last_json(r.stdout).mounts) do
    if mnt.source == source then seen = true end
  end
  T.ok(not seen, "the host's new tmpfs '" .. source .. "' inside")
end}
