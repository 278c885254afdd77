-- Lab 01: a command as a child process.
-- Until lab 07 is done the container runs in the host's root, so these
-- tests use only commands that exist both on the host and in the image.
local T = require "ddtest"

T.test{lab = 1, name = "exit code is passed through", function()
  local code = T.random_exit_code()
  local r = T.run{cmd = {"sh", "-c", "exit " .. code}}
  T.eq(r.exit_code, code, "exit code of `sh -c 'exit " .. code .. "'`")
end}

T.test{lab = 1, name = "killed by signal N gives 128+N", function()
  local signals = {1, 9, 10, 12, 15}
  local sig = signals[math.random(#signals)]
  -- --pid host: as PID 1 of its own namespace the shell would be
  -- immune to its own signal (chapter 05).
  local r = T.run{pid = "host", cmd = {"sh", "-c", "kill -" .. sig .. " $$"}}
  T.eq(r.exit_code, 128 + sig, "exit code after signal " .. sig)
end}

T.test{lab = 1, name = "missing command exits 127", function()
  local cmd = T.random_name("no-such-cmd-")
  local r = T.run{cmd = {cmd}}
  T.eq(r.exit_code, 127, "exit code of a missing command")
  T.match(r.stderr, cmd, "the message names the command")
end}

T.test{lab = 1, name = "non-executable file exits 126", function()
  local r = T.run{cmd = {"/etc/passwd"}}
  T.eq(r.exit_code, 126, "exit code of running /etc/passwd")
end}

T.test{lab = 1, name = "stdin is piped with -i and empty without", function()
  local text = T.random_name("stdin-") .. "\n" .. T.random_name("line2-") .. "\n"
  local r = T.run{interactive = true, stdin = text, cmd = {"cat"}}
  T.eq(r.exit_code, 0, "exit code of cat")
  T.eq(r.stdout, text, "what cat read from stdin")
  r = T.run{stdin = text, cmd = {"cat"}}
  T.eq(r.stdout, "", "what cat read without -i")
end}

T.test{lab = 1, name = "env and workdir reach the command", function()
  local value = T.random_name("v")
  local file = T.tmpdir() .. "/env.list"
  local fileval = T.random_name("f")
  local f = assert(io.open(file, "w"))
  f:write("# a comment\nDD_FROM_FILE=" .. fileval .. "\n\n")
  f:close()
  local r = T.run{env = {DD_VALUE = value}, env_file = file, workdir = "/tmp",
                  cmd = {T.probe, "env", "cwd"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.env.DD_VALUE, value, "DD_VALUE inside")
  T.eq(r.probe.env.DD_FROM_FILE, fileval, "DD_FROM_FILE from --env-file")
  T.eq(r.probe.cwd, "/tmp", "working directory")
  T.ok(r.probe.env.PATH ~= nil, "PATH is set")
end}

T.test{lab = 1, name = "SIGINT and SIGTERM reach the container", function()
  for _, sig in ipairs{"TERM", "INT"} do
    local code = T.random_exit_code()
    local h = dd.spawn{cmd = {"sh", "-c", "trap 'exit " .. code .. "' " .. sig ..
                              "; echo ready; while :; do sleep 0.05; done"}}
    T.defer(function() h:kill("KILL"); h:wait() end)
    T.eq(h:read_line(10000), "ready", "the container's first line")
    h:kill(sig)
    local r = h:wait(10)
    T.eq(r.exit_code, code, "exit code after SIG" .. sig .. " to drydock run")
  end
end}
