--[[
Quota, the engine's QuotaKernel step: a total that never replenishes by itself.

State: a string of one word (16 hex digits): bits 63..41 the epoch (operator resets), bits 40..0
the permits used in it. A missing key reads as the word 0: epoch 0, nothing used.

ARGV: [1] time (unused), [2] grace ms (unused), [3] N, [4] p.
Step: admit iff used + p <= N, then store word + p. A denial writes nothing.
Expiry: none; a quota key lives until an operator deletes or resets it.
Reply: {admitted '1'/'0', '0', used before this request}.
]]
local key = KEYS[1]
local permits = tonumber(ARGV[3])
local p = tonumber(ARGV[4])

local words, layout_error = load_words(key, 1)
if not words then return redis.error_reply(layout_error) end
local word = words[1]
local used = w_low(word, 41)
if used + p > permits then
  return {'0', '0', count_string(used)}
end
store(key, w_hex(w_add(word, w_small(p))), nil, 0)
return {'1', '0', count_string(used)}
