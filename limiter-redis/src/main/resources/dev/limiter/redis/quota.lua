--[[
Quota, the engine's QuotaKernel step: a total that never replenishes by itself.

State: a string of one word (16 hex digits): bits 63..41 the epoch (operator resets), bits 40..0
the permits used in it. A missing key reads as the word 0: epoch 0, nothing used.

ARGV: [1] time (unused), [2] grace ms (unused), [3] N, [4] p.
Step: admit iff used + p <= N, then store word + p. A denial writes nothing.
Expiry: none; a quota key lives until an operator deletes or resets it.
Reply: {admitted '1'/'0', '0', used before this request}.
Defined as quota_step(key, now, grace, a, commit) with a = ARGV[3..] below. With commit
false it decides and writes nothing: a composite decision checks every limit before it commits
any. The loader appends the call for a single limit.
]]
local function quota_step(key, now, grace, a, commit)
  local permits = tonumber(a[1])
  local p = tonumber(a[2])

  local words, layout_error = load_words(key, 1)
  if not words then return redis.error_reply(layout_error) end
  local word = words[1]
  local used = w_low(word, 41)
  if used + p > permits then
    return {'0', '0', count_string(used)}
  end
  if commit then store(key, w_hex(w_add(word, w_small(p))), nil, 0) end
  return {'1', '0', count_string(used)}
end
