-- Lab 03, hidden: graded, never in a handout (doc/instructor-guide.md).
local T = require "ddtest"

-- drydock takes at most 63 bytes (a DNS label); a name of exactly that
-- size must be kept whole (a buffer one byte short cuts it).
T.test{lab = 3, name = "the longest hostname drydock accepts (63 bytes) is kept whole", function()
  local alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
  local chars = {}
  for i = 1, 63 do
    local k = math.random(#alnum)
    chars[i] = alnum:sub(k, k)
  end
  local name = table.concat(chars)
  local r = T.run{hostname = name, cmd = {T.probe, "hostname"}}
  T.eq(r.exit_code, 0, "probe exit code")
  T.eq(r.probe.hostname, name, "the 63-byte hostname inside")
end}
