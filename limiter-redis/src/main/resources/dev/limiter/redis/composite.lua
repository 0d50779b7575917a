--[[
All-or-nothing decision over several limits of one request (a composite), in one script. The loader
puts the prelude and the step functions of gcra.lua, fixed_window.lua, sliding_window.lua and
quota.lua before this driver.

KEYS: the limits' state keys, in the request's order; they share one hash tag ({key}), so the
script runs on one Redis Cluster slot.
ARGV: [1] time (word or 'server'), [2] grace ms, then for each key: the step's name (gcra,
fixed_window, sliding_window, quota), the count c of its arguments, and those c arguments (the
single-limit script's ARGV[3..]).
Step: every limit is checked at one time with commit false, in order; the first denial is the
answer and nothing is written anywhere. When every limit admits, each step runs again with commit
true: the script runs alone and the keys are distinct, so the second pass decides as the first.
State layouts and expiry: each step's own.
Reply: {'0', i, reply of limit i} when limit i (1-based) denies, else {'1', reply 1, ..., reply n}.
]]
local steps = {gcra = gcra_step, fixed_window = fixed_window_step, sliding_window = sliding_window_step,
  quota = quota_step}
local now = decision_time(ARGV[1])
local grace = tonumber(ARGV[2])
local plan = {}
local at = 3
for i = 1, #KEYS do
  local step = steps[ARGV[at]]
  if not step then return redis.error_reply('LIMITER_COMPOSITE no step named ' .. tostring(ARGV[at])) end
  local count = tonumber(ARGV[at + 1])
  plan[i] = {step, argv_from(at + 2, count)}
  at = at + 2 + count
end
for i = 1, #KEYS do
  local reply = plan[i][1](KEYS[i], now, grace, plan[i][2], false)
  if reply.err then return reply end
  if reply[1] ~= '1' then return {'0', tostring(i), reply} end
end
local replies = {'1'}
for i = 1, #KEYS do
  replies[i + 1] = plan[i][1](KEYS[i], now, grace, plan[i][2], true)
end
return replies
