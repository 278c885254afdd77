-- Lab 03: a private hostname.
local T = require "ddtest"

local function host_hostname()
  return dd.exec{"hostname"}.stdout:gsub("%s+$", "")
end

T.test{lab = 3, name = "hostname is private", function()
  local before = host_hostname()
  local name = T.random_hostname()
  local r = T.run{hostname = name, cmd = {T.probe, "hostname"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.hostname, name, "hostname inside")
  T.eq(host_hostname(), before, "the host's hostname afterwards")
end}

T.test{lab = 3, name = "hostname defaults to the container's short id", function()
  local r = T.run{cmd = {T.probe, "hostname", "env"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.match(r.probe.hostname, "^%x+$", "default hostname is hex")
  T.eq(#r.probe.hostname, 12, "length of the default hostname")
  T.eq(r.probe.env.HOSTNAME, r.probe.hostname, "$HOSTNAME matches")
  T.neq(r.probe.hostname, host_hostname(), "differs from the host's")
end}
