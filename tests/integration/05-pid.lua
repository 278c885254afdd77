-- Lab 05: PID 1 inside the container, and an init that reaps.
local T = require "ddtest"

T.test{lab = 5, name = "zombies are reaped with --init", function()
  local n = math.random(2, 5)
  local r = T.run{init = true, cmd = {T.probe, "--orphans", tostring(n), "pid"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.pid, 2, "the command's pid under --init")
  T.eq(r.probe.actions[1].orphans, n, "orphans made")
  T.eq(r.probe.actions[1].orphans_unreaped, 0, "orphans left as zombies")
  -- Without an init nobody reaps them: the test can tell the difference.
  r = T.run{cmd = {T.probe, "--orphans", tostring(n), "pid"}}
  T.eq(r.probe.actions[1].orphans_unreaped, n, "zombies without --init")
end}

T.test{lab = 5, name = "--init passes the exit code and forwards SIGTERM", function()
  local code = T.random_exit_code()
  local r = T.run{init = true, cmd = {"sh", "-c", "exit " .. code}}
  T.eq(r.exit_code, code, "exit code through the init")
  -- sleep has no SIGTERM handler: as PID 1 it would ignore the signal,
  -- as the init's child it dies of it.
  local h = dd.spawn{init = true, cmd = {"sh", "-c", "echo ready; exec sleep 30"}}
  T.defer(function() h:kill("KILL"); h:wait() end)
  T.eq(h:read_line(10000), "ready", "the container's first line")
  dd.sleep(100)
  h:kill("TERM")
  r = h:wait(10)
  T.eq(r.exit_code, 128 + 15, "exit code after SIGTERM under --init")
end}
