-- Experiment: who the container's root is, seen from inside and outside.
--
-- Runs the probe with the host's user namespace and with one of its own
-- (--userns private), and as a user of the image (-u), and prints for
-- each: the uid inside, the host uid of the container's root (the uid
-- map's first line), the owner a file written to a shared directory gets
-- on the host, and the effective capabilities.  Then times a start of
-- each, the first --userns private run included (it makes the shifted
-- copy of the image's layers; later ones reuse it).
--
--   build/drydock script scripts/experiments/userns.lua [ROUNDS]
--
-- Set DRYDOCK_SUBUID and DRYDOCK_SUBGID to copies of /etc/subuid and
-- /etc/subgid to leave the real files alone.
local dd = require "drydock"

local rounds = tonumber(arg and arg[1]) or 5
local variants = {
  {"--userns host", {userns = "host"}},
  {"--userns private", {userns = "private"}},
  {"-u nobody", {user = "nobody"}},
  {"--userns private -u nobody", {userns = "private", user = "nobody"}},
}

local shared = dd.mkdtemp("userns-")
dd.exec{"chmod", "1777", shared}

local function run(opts, cmd)
  local o = {image = "probe", cmd = cmd, volumes = {shared .. ":/shared"}}
  for k, v in pairs(opts) do o[k] = v end
  return dd.run(o)
end

print(string.format("%-28s %-6s %-10s %-12s %-18s %s", "options", "uid", "root is", "file owner",
                    "CapEff", "start ms"))
for i, v in ipairs(variants) do
  local name = "f" .. i
  local r = run(v[2], {"/bin/ddprobe", "--write", "/shared/" .. name .. "=x", "uid", "uid_map",
                       "caps"})
  local line = r.stdout:match("([^\n]+)\n?$")
  if r.exit_code ~= 0 or not line then
    print(string.format("%-28s failed (exit %d): %s", v[1], r.exit_code, r.stderr))
  else
    local f = dd.json_decode(line)
    local owner = dd.exec{"stat", "-c", "%u", shared .. "/" .. name}.stdout:gsub("%s+$", "")
    local t0 = dd.monotonic()
    for _ = 1, rounds do run(v[2], {"true"}) end
    local ms = (dd.monotonic() - t0) * 1000 / rounds
    print(string.format("%-28s %-6d %-10d %-12s %-18s %.1f", v[1], f.uid, f.uid_map[1][2], owner,
                        f.caps.eff, ms))
  end
end
dd.rm_rf(shared)
