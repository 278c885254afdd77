-- Lab 08: the copy-on-write container layer.
--
-- A container's root is an overlay of its image's layers and a layer of
-- its own, <root>/containers/<id>/upper.  Until the lab is done drydock
-- copies the whole image instead: every test here looks for a fact only
-- the overlay gives (the root's file system type, the container's own
-- layer on disk, a whiteout in it).
local T = require "ddtest"

local function state_root()
  local root = os.getenv("DRYDOCK_ROOT")
  assert(root and root ~= "", "DRYDOCK_ROOT is not set")
  return root
end

-- Run a named container that is kept after it exits (removed after the
-- test); returns the run's result and the container's directory.
local function run_kept(cmd)
  local name = T.random_name("ddov-")
  T.defer(function() dd.exec{os.getenv("DRYDOCK_BIN") or dd.bin(), "rm", "-f", name} end)
  local r = T.run{name = name, rm = false, cmd = cmd}
  T.eq(r.exit_code, 0, "exit code of the container")
  T.ok(r.probe and r.probe.hostname, "the probe's report")
  -- The hostname defaults to the short id: the directory starts with it.
  local ls = dd.exec{"sh", "-c", 'ls -d "$0"/containers/"$1"*', state_root(), r.probe.hostname}
  T.eq(ls.exit_code, 0, "finding the container's directory")
  return r, (ls.stdout:gsub("\n$", ""))
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
  local _, dir = run_kept{T.probe, "--write", file .. "=" .. text, "hostname"}
  T.eq(read_file(dir .. "/upper" .. file), text, "the container's layer holds " .. file)
  -- The mount lived in the container's namespace only: on the host the
  -- mount point is an empty directory.
  local ls = dd.exec{"ls", "-A", dir .. "/rootfs"}
  T.eq(ls.stdout, "", "what the host sees in " .. dir .. "/rootfs")
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
  local _, dir = run_kept{T.probe, "hostname"}
  local count = dd.exec{"sh", "-c", 'find "$0" -mindepth 1 | wc -l', dir}
  local n = tonumber(count.stdout)
  T.ok(n and n <= 10, "entries in the container's directory (seen " ..
       tostring(n) .. ", at most 10: config, state, rootfs, upper, work ...)")
end}
