--[[
Token bucket (GCRA), the engine's GcraKernel step.

State: a string of one word (16 hex digits): TAT ^ Long.MIN_VALUE, where TAT is the theoretical
arrival time in nanoseconds. A missing key reads as the word 0, that is TAT = Long.MIN_VALUE: a
full bucket, never seen.

ARGV: [1] time (word or 'server'), [2] grace ms, [3] cost = p * I (word, unsigned, exact: the
      client refuses p * I > tau as unsatisfiable), [4] tau = burst * I (word, unsigned, clamped at
      2^64 - 1).
Step: from = max(TAT, now); backlog = from - now and room = Long.MAX_VALUE - from (both unsigned,
exact). Admit iff cost < room (TAT' = from + cost fits in a long below the clock's end; the
engine reserves TAT' = Long.MAX_VALUE as its eviction's frozen mark, so it is never stored) and
backlog <= tau and cost <= tau - backlog, all unsigned; then store TAT' ^ MIN_VALUE, and
ahead = backlog + cost <= tau. A denial writes nothing.
Expiry: the state is idle ("never seen") once now >= TAT', that is after `ahead` nanoseconds.
Reply: {'1', now, ahead} when admitted, {'0', now, from} when denied (words as hex); the client
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
  local from = tat
  if w_cmps(tat, now) < 0 then from = now end
  local backlog = w_sub(from, now)
  local room = w_sub(MAX_WORD, from)
  if w_cmpu(cost, room) >= 0 or w_cmpu(backlog, tau) > 0 or w_cmpu(cost, w_sub(tau, backlog)) > 0 then
    return {'0', w_hex(now), w_hex(from)}
  end
  local next_tat = w_add(from, cost)
  local ahead = w_add(backlog, cost)
  if commit then store(key, w_hex(w_flip_sign(next_tat)), w_unsigned_number(ahead), grace) end
  return {'1', w_hex(now), w_hex(ahead)}
end
