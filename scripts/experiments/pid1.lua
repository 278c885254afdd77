-- Experiment: what PID 1 owes its namespace.
--
-- The probe leaves orphans behind; they are re-parented to PID 1.  Without
-- --init the probe itself is PID 1 and never waits for them, so they stay
-- zombies; with --init drydock's init reaps them.  Prints a table.
--
--   build/drydock script scripts/experiments/pid1.lua [ORPHANS]
local dd = require "drydock"

local n = tonumber(arg and arg[1]) or 3
local probe = "/bin/ddprobe"

print(string.format("%-10s %-12s %-10s %-18s", "--init", "probe's pid", "orphans", "left as zombies"))
for _, init in ipairs{false, true} do
  local r = dd.run{image = "probe", init = init,
                   cmd = {probe, "--orphans", tostring(n), "pid"}}
  local facts = dd.json_decode(r.stdout:match("([^\n]+)\n?$"))
  local a = facts.actions[1]
  print(string.format("%-10s %-12d %-10d %-18d", tostring(init), facts.pid, a.orphans,
                      a.orphans_unreaped))
end
