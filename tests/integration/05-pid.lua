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

-- Every signal a user sends to `drydock run` belongs to the command,
-- not only SIGTERM: ctrl-c is SIGINT, a closed terminal SIGHUP.
T.test{lab = 5, name = "--init forwards any signal a user sends and passes 128+N", function()
  local names = {HUP = 1, INT = 2, QUIT = 3, USR1 = 10, USR2 = 12, TERM = 15}
  local list = {}
  for name in pairs(names) do list[#list + 1] = name end
  table.sort(list)
  local sig = list[math.random(#list)]
  local h = dd.spawn{init = true, cmd = {"sh", "-c", "echo ready; exec sleep 30"}}
  T.defer(function() h:kill("KILL"); h:wait() end)
  T.eq(h:read_line(10000), "ready", "the container's first line")
  dd.sleep(100)
  h:kill(sig)
  local r = h:wait(5)
  T.eq(r.exit_code, 128 + names[sig], "exit code after SIG" .. sig .. " under --init")
end, hang_hint = "the init did not pass the signal on to the command: is it in the list " ..
                 "the init catches, and does the init forward it before it waits again?"}

-- The init's work ends with its command: the kernel kills whatever is
-- left in the namespace when PID 1 exits.
T.test{lab = 5, name = "a background job does not hold up the init's exit", function()
  local code = T.random_exit_code()
  local t0 = dd.monotonic()
  local r = T.run{init = true, cmd = {"sh", "-c", "sleep 8 & echo $$; exit " .. code}}
  local took = dd.monotonic() - t0
  T.eq(r.exit_code, code, "exit code of `sh -c 'sleep 8 & exit " .. code .. "'` under --init")
  T.eq(r.stdout, "2\n", "the shell's pid (under an init it is 2, not 1)")
  if took > 4 then
    T.fail(string.format("the container took %.1f s: the init waited for the background " ..
                         "`sleep 8` instead of returning when its command exited", took))
  end
end}
