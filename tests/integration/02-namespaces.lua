-- Lab 02: the container's process lives in new namespaces.
local T = require "ddtest"

local function host_ns()
  local r = dd.exec{T.host_probe, "ns"}
  return dd.json_decode(r.stdout).ns
end

T.test{lab = 2, name = "the container has its own uts, pid, mount and ipc namespaces", function()
  local host = host_ns()
  local r = T.run{cmd = {T.probe, "ns"}}
  T.eq(r.exit_code, 0, "probe exit code")
  for _, ns in ipairs{"uts", "pid", "mnt", "ipc"} do
    T.neq(r.probe.ns[ns], host[ns], ns .. " namespace inode inside vs host")
  end
  T.eq(r.probe.ns.net, host.net, "net namespace (shared until chapter 09)")
end}

T.test{lab = 2, name = "--uts host and --pid host share the host's namespaces", function()
  local host = host_ns()
  local r = T.run{uts = "host", pid = "host", cmd = {T.probe, "ns"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.ns.uts, host.uts, "uts namespace with --uts host")
  T.eq(r.probe.ns.pid, host.pid, "pid namespace with --pid host")
  T.neq(r.probe.ns.mnt, host.mnt, "mount namespace is still new")
end}

T.test{lab = 2, name = "the command is PID 1 of its namespace", function()
  local r = T.run{cmd = {T.probe, "pid", "ppid"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.pid, 1, "the probe's pid inside")
  T.eq(r.probe.ppid, 0, "its parent pid (outside the namespace: 0)")
end}

T.test{lab = 2, name = "--network none gives a network namespace with only loopback, up", function()
  local host = host_ns()
  local r = T.run{network = "none", cmd = {T.probe, "ns", "net"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.neq(r.probe.ns.net, host.net, "net namespace inode inside vs host")
  T.eq(#r.probe.net, 1, "interfaces inside")
  T.eq(r.probe.net[1].name, "lo", "the one interface")
  T.ok(r.probe.net[1].flags & 1 == 1, "lo is up (IFF_UP in flags " .. r.probe.net[1].flags .. ")")
  T.contains(r.probe.net[1].addrs, "127.0.0.1/8", "lo's addresses")
end}
