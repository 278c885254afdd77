-- Lab 08: the copy-on-write container layer.
--
-- A container's root is an overlay of its image's layers and a layer of
-- its own, <root>/containers/<id>/upper (the data root), mounted at
-- <runroot>/containers/<id>/rootfs (the run root).  Until the lab is done drydock
-- copies the whole image instead: every test here looks for a fact only
-- the overlay gives (the root's file system type, the container's own
-- layer on disk, a whiteout in it).
local T = require "ddtest"

-- The data root and the run root in effect, as drydock itself says.
local function roots()
  local info = dd.info()
  assert(info.root and info.runroot, "drydock info names both roots")
  return info.root, info.runroot
end

-- Run a named container that is kept after it exits (removed after the
-- test); returns the run's result, the container's directory under the
-- data root (its layer) and under the run root (its bundle).
local function run_kept(cmd)
  local name = T.random_name("ddov-")
  T.defer(function() dd.exec{os.getenv("DRYDOCK_BIN") or dd.bin(), "rm", "-f", name} end)
  local r = T.run{name = name, rm = false, cmd = cmd}
  T.eq(r.exit_code, 0, "exit code of the container")
  T.ok(r.probe and r.probe.hostname, "the probe's report")
  -- The hostname defaults to the short id: the directory starts with it.
  local found = {}
  for _, root in ipairs{roots()} do
    local ls = dd.exec{"sh", "-c", 'ls -d "$0"/containers/"$1"*', root, r.probe.hostname}
    T.eq(ls.exit_code, 0, "finding the container's directory under " .. root)
    found[#found + 1] = (ls.stdout:gsub("\n$", ""))
  end
  return r, found[1], found[2]
end

local function file_kind(path)
  local r = dd.exec{"stat", "-c", "%F %t:%T", path}
  if r.exit_code ~= 0 then return "missing" end
  return (r.stdout:gsub("\n$", ""))
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

T.test{lab = 8, name = "the container's root is an overlay of the image", function()
  local r = T.run{cmd = {T.probe, "mounts"}}
  T.eq(r.exit_code, 0, "exit code")
  local root
  for _, m in ipairs(r.probe.mounts) do
    if m.target == "/" then root = m end
  end
  T.ok(root, "a mount at / inside")
  T.eq(root.fstype, "overlay", "file system type of /")
end}

T.test{lab = 8, name = "writes land in the container's own layer, not in the image", function()
  local file, text = "/etc/" .. T.random_name("w"), dd.random_hex(16)
  local _, dir, bundle = run_kept{T.probe, "--write", file .. "=" .. text, "hostname"}
  T.eq(read_file(dir .. "/upper" .. file), text, "the container's layer holds " .. file)
  -- The mount lived in the container's namespace only: on the host the
  -- mount point is an empty directory.
  local ls = dd.exec{"ls", "-A", bundle .. "/rootfs"}
  T.eq(ls.stdout, "", "what the host sees in " .. bundle .. "/rootfs")
  local again = T.run{cmd = {T.probe, "--stat", file}}
  T.eq(again.probe.actions[1].exists, false, file .. " in a new container")
end}

T.test{lab = 8, name = "a deleted image file is a whiteout in the container's layer", function()
  local victim = "/bin/" .. ({"ls", "cat", "echo", "true", "mkdir"})[math.random(5)]
  local _, dir = run_kept{"sh", "-c", "rm " .. victim .. " && exec " .. T.probe ..
                          " --stat " .. victim .. " hostname"}
  T.eq(file_kind(dir .. "/upper" .. victim), "character special file 0:0",
       "what " .. victim .. " is in the container's layer")
  local again = T.run{cmd = {T.probe, "--stat", victim}}
  T.eq(again.probe.actions[1].exists, true, victim .. " in a new container")
end}

T.test{lab = 8, name = "starting a container copies nothing of the image", function()
  local _, dir, bundle = run_kept{T.probe, "hostname"}
  local count = dd.exec{"sh", "-c", 'find "$0" "$1" -mindepth 1 | wc -l', dir, bundle}
  local n = tonumber(count.stdout)
  T.ok(n and n <= 10, "entries in the container's directories (seen " ..
       tostring(n) .. ", at most 10: config, state, rootfs, record, upper, work ...)")
end}
