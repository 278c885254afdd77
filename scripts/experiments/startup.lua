-- Experiment: how long a container takes from `drydock run` to exit.
--
-- Starts N trivial containers one after another and prints the
-- distribution.  A quick look, not a benchmark: `make bench` compares
-- against crun, runc and podman properly.
--
--   build/drydock script scripts/experiments/startup.lua [N]
local dd = require "drydock"

local n = tonumber(arg and arg[1]) or 20
local times = {}
for i = 1, n do
  local t0 = dd.monotonic()
  local r = dd.run{image = "busybox", cmd = {"true"}}
  assert(r.exit_code == 0, r.stderr)
  times[i] = (dd.monotonic() - t0) * 1000
end
table.sort(times)
local function pct(p) return times[math.max(1, math.ceil(p / 100 * n))] end
print(string.format("%-8s %-10s %-10s %-10s %-10s", "runs", "min ms", "median ms", "p90 ms", "max ms"))
print(string.format("%-8d %-10.2f %-10.2f %-10.2f %-10.2f", n, times[1], pct(50), pct(90), times[n]))
