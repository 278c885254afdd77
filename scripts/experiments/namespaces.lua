-- Experiment: which namespaces a container shares with the host.
--
-- Runs the probe on the host and in containers with and without
-- --uts host / --pid host, and prints the namespace inodes as CSV: equal
-- numbers mean the same namespace.
--
--   build/drydock script scripts/experiments/namespaces.lua
local dd = require "drydock"

local kinds = {"uts", "pid", "mnt", "ipc", "net", "user", "cgroup"}
local host_probe = os.getenv("DRYDOCK_PROBE") or dd.bin():match("(.*/)") .. "ddprobe"

local function row(label, ns)
  local cells = {label}
  for _, k in ipairs(kinds) do cells[#cells + 1] = tostring(ns[k] or "") end
  print(table.concat(cells, ","))
end

print("where," .. table.concat(kinds, ","))
if host_probe then
  row("host", dd.json_decode(dd.exec{host_probe, "ns"}.stdout).ns)
end
for _, case in ipairs{{"container", {}}, {"--uts host", {uts = "host"}},
                      {"--pid host", {pid = "host"}}} do
  local opts = {image = "probe", cmd = {"/bin/ddprobe", "ns"}}
  for k, v in pairs(case[2]) do opts[k] = v end
  local r = dd.run(opts)
  row(case[1], dd.json_decode(r.stdout).ns)
end
