-- Lab 06: a private mount tree.
-- Until lab 07 is done the container sees the host's directories, which
-- is what makes a leak in either direction visible.
local T = require "ddtest"

local function host_has_source(source)
  for _, m in ipairs(dd.mounts()) do
    if m.source == source then return m end
  end
end

T.test{lab = 6, name = "a mount made inside is invisible on the host", function()
  local source = T.random_name("ddin-")
  T.defer(function()
    -- Should it have leaked, take it away again.
    local m = host_has_source(source)
    while m do
      dd.exec{"umount", "-l", m.target}
      m = host_has_source(source)
    end
  end)
  local r = T.run{cmd = {"sh", "-c", "mount -t tmpfs " .. source .. " /mnt && " ..
                         T.probe .. " mounts"}}
  T.eq(r.exit_code, 0, "exit code of mount inside")
  local inside = false
  for _, m in ipairs(r.probe.mounts) do
    if m.source == source then inside = true end
  end
  T.ok(inside, "the tmpfs is mounted inside")
  T.ok(not host_has_source(source), "the tmpfs '" .. source .. "' is absent on the host")
end}

T.test{lab = 6, name = "a host mount made after start is invisible inside", function()
  local dir = T.tmpdir()
  local source = T.random_name("ddhost-")
  local h = dd.spawn{cmd = {"sh", "-c", "trap '" .. T.probe .. " mounts; exit 0' USR1; " ..
                            "echo ready; while :; do sleep 0.05; done"}}
  T.defer(function() h:kill("KILL"); h:wait() end)
  T.eq(h:read_line(10000), "ready", "the container's first line")
  local m = dd.exec{"mount", "-t", "tmpfs", source, dir}
  T.eq(m.exit_code, 0, "mount on the host")
  T.defer(function() dd.exec{"umount", "-l", dir} end)
  h:kill("USR1")
  local r = h:wait(10)
  T.eq(r.exit_code, 0, "container exit code")
  local probe = dd.json_decode(r.stdout:match("([^\n]+)\n?$"))
  for _, mnt in ipairs(probe.mounts) do
    T.neq(mnt.source, source, "a mount inside with the host's new source")
  end
end}
