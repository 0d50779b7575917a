--[[
Token bucket (GCRA), the engine's GcraKernel step.

State: a string of one word (16 hex digits): TAT ^ Long.MIN_VALUE, where TAT is the theoretical
arrival time in nanoseconds. A missing key reads as the word 0, that is TAT = Long.MIN_VALUE: a
full bucket, never seen.

ARGV: [1] time (word or 'server'), [2] grace ms, [3] cost = p * I (word, saturated),
      [4] tau = burst * I (word, saturated).
Step: base = max(TAT, now); TAT' = base + cost; ahead = TAT' - now. Admit iff TAT' did not
overflow (TAT' >= base) and ahead <= tau as unsigned numbers; then store TAT' ^ MIN_VALUE.
A denial writes nothing.
Expiry: the state is idle ("never seen") once now >= TAT', that is after `ahead` nanoseconds.
Reply: {'1', now, ahead} when admitted, {'0', now, base} when denied (words as hex); the client
derives remaining, retry-after and reset from these exactly as the kernel does.
Defined as gcra_step(key, now, grace, a, commit) with a = ARGV[3..] below. With commit
false it decides and writes nothing: a composite decision checks every limit before it commits
any. The loader appends the call for a single limit.
]]
local function gcra_step(key, now, grace, a, commit)
  local cost = w_at(a[1], 1)
  local tau = w_at(a[2], 1)

  local words, layout_error = load_words(key, 1)
  if not words then return redis.error_reply(layout_error) end
  local tat = w_flip_sign(words[1])
  local base = tat
  if w_cmps(tat, now) < 0 then base = now end
  local next_tat = w_add(base, cost)
  local ahead = w_sub(next_tat, now)
  if w_cmps(next_tat, base) < 0 or w_cmpu(ahead, tau) > 0 then
    return {'0', w_hex(now), w_hex(base)}
  end
  if commit then store(key, w_hex(w_flip_sign(next_tat)), w_unsigned_number(ahead), grace) end
  return {'1', w_hex(now), w_hex(ahead)}
end
