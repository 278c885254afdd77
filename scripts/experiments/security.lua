-- Experiment: what each confinement option leaves a container.
--
-- Runs the probe under Docker's defaults and with each option that
-- loosens or tightens them, and prints one row each: the effective
-- capabilities, the seccomp mode, no_new_privs, and what happens to
-- keyctl (native and 32-bit), unshare and a read of /proc/keys.  Then
-- times a start of each, to show what confinement costs.
--
--   build/drydock script scripts/experiments/security.lua [ROUNDS]
local dd = require "drydock"

local rounds = tonumber(arg and arg[1]) or 5
local variants = {
  {"defaults", {}},
  {"--cap-drop ALL", {cap_drop = {"ALL"}}},
  {"--cap-add SYS_ADMIN", {cap_add = {"SYS_ADMIN"}}},
  {"seccomp=unconfined", {security_opt = {"seccomp=unconfined"}}},
  {"no-new-privileges", {security_opt = {"no-new-privileges"}}},
  {"--privileged", {privileged = true}},
}

local function outcome(action)
  if action.errno then return "errno " .. action.errno end
  return "ok"
end

local function run(opts, cmd)
  local o = {image = "probe", cmd = cmd}
  for k, v in pairs(opts) do o[k] = v end
  return dd.run(o)
end

print(string.format("%-22s %-18s %-4s %-4s %-9s %-9s %-9s %-12s %s", "options", "CapEff", "scmp",
                    "nnp", "keyctl", "keyctl32", "unshare", "/proc/keys", "start ms"))
for _, v in ipairs(variants) do
  local r = run(v[2], {"/bin/ddprobe", "--syscall", "keyctl", "--syscall", "keyctl32",
                       "--syscall", "unshare", "--stat", "/proc/keys", "caps"})
  local f = dd.json_decode(r.stdout:match("([^\n]+)\n?$"))
  local a = f.actions
  local t0 = dd.monotonic()
  for _ = 1, rounds do run(v[2], {"true"}) end
  local ms = (dd.monotonic() - t0) * 1000 / rounds
  print(string.format("%-22s %-18s %-4d %-4d %-9s %-9s %-9s %-12s %.1f", v[1], f.caps.eff,
                      f.caps.seccomp, f.caps.no_new_privs, outcome(a[1]), outcome(a[2]),
                      outcome(a[3]), a[4].type, ms))
end
