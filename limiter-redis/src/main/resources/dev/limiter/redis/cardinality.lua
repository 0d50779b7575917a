--[[
Cardinality, the engine's CardinalityKernel step: at most N distinct members admitted under one
parent key.

State, two keys with one hash tag:
  KEYS[1], the parent: a string of one word (16 hex digits), the quota word
      bits 63..41 epoch (operator resets), bits 40..0 members counted in it; missing = word 0.
  KEYS[2], the members: a hash from member to its mark word (16 hex digits), (epoch << 3) | 1 =
      admitted in that epoch of the parent; a missing field or another epoch's mark = not a member.

ARGV: [1] time (unused), [2] grace ms (unused), [3] N, [4] the member.
Step: a member marked for the parent's epoch is admitted again and nothing changes. Otherwise admit
iff counted + 1 <= N, then count it (parent word + 1) and mark it. A denial writes nothing.
Expiry: none; both keys live until an operator deletes or resets them.
Reply: {'2' already a member, '1' newly admitted, '0' denied; members counted before the request}.
]]
local permits = tonumber(ARGV[3])
local member = ARGV[4]

local words, layout_error = load_words(KEYS[1], 1)
if not words then return redis.error_reply(layout_error) end
local word = words[1]
local used = w_low(word, 41)
local epoch = math.floor(word[1] / 512)              -- word >>> 41: the top 23 bits
local mark = w_hex(w_small(epoch * 8 + 1))
if redis.call('HGET', KEYS[2], member) == mark then
  return {'2', count_string(used)}
end
if used + 1 > permits then
  return {'0', count_string(used)}
end
store(KEYS[1], w_hex(w_add(word, ONE)), nil, 0)
redis.call('HSET', KEYS[2], member, mark)
return {'1', count_string(used)}
