-- Lab 08: layered images from `drydock load`.
--
-- Each test builds a `docker save` archive itself: the built-in busybox
-- tarball as the base layer, and an upper layer of random content that
-- adds the probe, adds files and deletes one with a ".wh." whiteout.
-- Loading needs lab 08's overlay_whiteout(), and running the image its
-- stack of layers: before the lab is done, the load itself fails.
local T = require "ddtest"

local BIN = os.getenv("DRYDOCK_BIN") or dd.bin()
-- Applets of the busybox image, any of which the upper layer may delete.
local APPLETS = {"ls", "cat", "mkdir", "date", "sleep", "touch"}

local function state_root()
  local root = os.getenv("DRYDOCK_ROOT")
  assert(root and root ~= "", "DRYDOCK_ROOT is not set")
  return root
end

local function busybox_tar()
  local dir = os.getenv("DRYDOCK_IMAGES")
  if not dir or dir == "" then dir = BIN:gsub("[^/]*$", "") .. "images" end
  return dir .. "/busybox.tar"
end

local function sh(argv, what)
  local r = dd.exec(argv)
  T.eq(r.exit_code, 0, what .. " (" .. r.stderr:gsub("\n$", "") .. ")")
  return r.stdout
end

local function write_file(path, text)
  sh({"mkdir", "-p", (path:gsub("/[^/]*$", ""))}, "making the directory of " .. path)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local function sha256(path)
  return sh({"sha256sum", path}, "hashing " .. path):match("^(%x+)")
end

-- The upper layer as a tar: the probe, files {["/etc/x"] = text}, an
-- empty directory per dirs entry, and a whiteout for each path in gone.
local function upper_layer(dir, spec)
  local stage = dir .. "/stage"
  sh({"mkdir", "-p", stage .. "/bin"}, "making the stage")
  sh({"cp", T.host_probe, stage .. "/bin/ddprobe"}, "copying the probe")
  for path, text in pairs(spec.files or {}) do write_file(stage .. path, text) end
  for _, path in ipairs(spec.dirs or {}) do sh({"mkdir", "-p", stage .. path}, "making " .. path) end
  for _, path in ipairs(spec.gone or {}) do
    write_file(stage .. path:gsub("([^/]*)$", ".wh.%1"), "")
  end
  local out = dir .. "/upper.tar"
  sh({"tar", "--create", "--file", out, "--directory", stage, "--numeric-owner",
      "--owner=0", "--group=0", "."}, "making the upper layer")
  return out
end

-- A docker save archive of busybox plus spec's upper layer, tagged ref,
-- with spec.config as the image's config.  spec.bad_digest names the
-- upper layer for another digest than its own (Docker 25's layout).
local function docker_save(ref, spec)
  local dir = T.tmpdir()
  local out = dir .. "/out"
  local upper = upper_layer(dir, spec)
  local b, u = sha256(busybox_tar()), sha256(upper)
  local names = {"base/layer.tar", "upper/layer.tar"}
  if spec.bad_digest then names[2] = "blobs/sha256/" .. b end
  sh({"mkdir", "-p", out .. "/base", out .. "/upper", out .. "/blobs/sha256"}, "making " .. out)
  sh({"cp", busybox_tar(), out .. "/" .. names[1]}, "copying the base layer")
  sh({"cp", upper, out .. "/" .. names[2]}, "copying the upper layer")
  local config = dd.json_encode{architecture = "amd64", os = "linux", config = spec.config,
                                rootfs = {type = "layers", diff_ids = {"sha256:" .. b, "sha256:" .. u}}}
  write_file(dir .. "/config.json", config)
  local c = sha256(dir .. "/config.json")
  sh({"mv", dir .. "/config.json", out .. "/" .. c .. ".json"}, "naming the config")
  write_file(out .. "/manifest.json", dd.json_encode{{Config = c .. ".json", RepoTags = {ref},
                                                      Layers = names}})
  local archive = dir .. "/save.tar"
  sh({"tar", "--create", "--file", archive, "--directory", out, "manifest.json",
      c .. ".json", names[1], names[2]}, "making the archive")
  return archive, c
end

-- Load the archive; the image is removed after the test.
local function load(archive, ref)
  T.defer(function() dd.exec{BIN, "rmi", ref} end)
  local r = dd.exec{BIN, "load", "-q", "-i", archive}
  T.eq(r.exit_code, 0, "exit code of drydock load (" .. r.stderr:gsub("\n$", "") .. ")")
end

local function random_ref()
  return T.random_name("ddload") .. ":" .. T.random_name("v")
end

T.test{lab = 8, name = "a loaded two-layer image runs without the file its upper layer deleted", function()
  local ref, gone = random_ref(), "/bin/" .. APPLETS[math.random(#APPLETS)]
  local added, text = "/etc/" .. T.random_name("added"), dd.random_hex(24)
  load(docker_save(ref, {files = {[added] = text}, gone = {gone},
                         config = {Cmd = {"/bin/ddprobe"}}}), ref)
  local r = T.run{image = ref, cmd = {"/bin/ddprobe", "--stat", gone, "--read", added,
                                      "--stat", "/bin/busybox"}}
  T.eq(r.exit_code, 0, "exit code of the probe")
  local a = r.probe.actions
  T.eq(a[1].exists, false, gone .. " (deleted by the upper layer) inside")
  T.eq(a[2].content, text, "what the container reads from " .. added)
  T.eq(a[3].exists, true, "/bin/busybox (from the base layer) inside")
end}

T.test{lab = 8, name = "a loaded image's Cmd, Env and WorkingDir apply when no command is given", function()
  local ref, value = random_ref(), dd.random_hex(12)
  local var, workdir = "DD_" .. T.random_name("V"):upper(), "/srv/" .. T.random_name("w")
  load(docker_save(ref, {dirs = {workdir},
                         config = {Env = {"PATH=/bin:/usr/bin", var .. "=" .. value},
                                   Cmd = {"/bin/ddprobe", "env", "cwd"}, WorkingDir = workdir}}),
       ref)
  local r = T.run{image = ref}
  T.eq(r.exit_code, 0, "exit code of the image's Cmd")
  T.ok(r.probe, "the probe's report (the image's Cmd ran it)")
  T.eq(r.probe.env[var], value, var .. " inside, from the image's Env")
  T.eq(r.probe.cwd, workdir, "working directory, from the image's WorkingDir")
end}

T.test{lab = 8, name = "a failed load leaves the images and layers as they were", function()
  local ref = random_ref()
  local file, text = "/etc/" .. T.random_name("f"), dd.random_hex(16)
  load(docker_save(ref, {files = {[file] = text}, config = {Cmd = {"/bin/ddprobe"}}}), ref)
  local function store()
    local images = {}
    for line in sh({BIN, "images", "--format", "json"}, "drydock images"):gmatch("[^\n]+") do
      local image = dd.json_decode(line)
      image.CreatedSince = nil -- "Less than a second ago" becomes "About a second ago"
      images[#images + 1] = image
    end
    return {images = images,
            layers = sh({"ls", "-1", state_root() .. "/layers"}, "listing the layers"),
            tmp = sh({"find", state_root() .. "/tmp", "-mindepth", "1"}, "listing tmp/")}
  end
  local before = store()
  -- The same tag, a new upper layer, and a blob that is not what its
  -- name promises: the load fails on it, after unpacking the others.
  local bad = docker_save(ref, {files = {[file] = dd.random_hex(16)}, bad_digest = true,
                                config = {Cmd = {"/bin/ddprobe"}, Env = {"X=" .. dd.random_hex(4)}}})
  local r = dd.exec{BIN, "load", "-i", bad}
  T.eq(r.exit_code, 125, "exit code of the failing load")
  -- Refused for the digest, not for something that happens to follow
  -- from it (a layer missing from the store at the commit).
  T.contains(r.stderr, "does not match its digest sha256:", "drydock load's reason")
  T.eq(store(), before, "images, layers and tmp/ after the failed load")
  local run = T.run{image = ref, cmd = {"/bin/ddprobe", "--read", file}}
  T.eq(run.probe and run.probe.actions[1].content, text, file .. " in " .. ref .. " after it")
end}
