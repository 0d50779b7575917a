--[[
Fixed window, the engine's FixedWindowKernel step: windows [k*T, (k+1)*T) on the clock's axis.

State: a string of one word (16 hex digits):
    bits 63..countBits: tag = window index mod 2^(64 - countBits)
    bits countBits-1..0: count + 1 (a missing key reads as the word 0: never seen)
countBits = bits needed for N + 1.

ARGV: [1] time, [2] grace ms, [3] T (word), [4] countBits, [5] N, [6] p,
      [7] the last window index, floorDiv(Long.MAX_VALUE, T) (word).
Step: index = floorDiv(now, T); diff = (tag(index) - tag(stored)) >> countBits (signed, in the tag
bits). A caller fewer than S = 2^(62 - countBits) windows behind the stored window (diff in
(-S, 0]) is counted in the stored window, provided that window exists (index - diff is at most
the last window index: otherwise the tag difference is a wrapped one, not a later window); any
other diff starts the caller's window afresh. Admit
iff count + p <= N, then store tag | (count + p + 1). A denial writes nothing.
Expiry: idle once the stored window has ended: after (windowIndex - index) * T + (T - now mod T).
Reply: {admitted '1'/'0', now, windowIndex, count before this request}.
Defined as fixed_window_step(key, now, grace, a, commit) with a = ARGV[3..] below. With commit
false it decides and writes nothing: a composite decision checks every limit before it commits
any. The loader appends the call for a single limit.
]]
local function fixed_window_step(key, now, grace, a, commit)
  local period = w_at(a[1], 1)
  local count_bits = tonumber(a[2])
  local permits = tonumber(a[3])
  local p = tonumber(a[4])
  local last_window = w_at(a[5], 1)

  local stale_floor = w_sub(ZERO, w_shl(ONE, 62 - count_bits))
  local index, into_window = w_floor_divmod(now, period)
  local tag = w_shl(index, count_bits)
  local window_index = index
  local window_tag = tag
  local count = 0
  local words, layout_error = load_words(key, 1)
  if not words then return redis.error_reply(layout_error) end
  local word = words[1]
  if not w_is_zero(word) then
    local stored_tag = w_high(word, count_bits)
    local diff = w_sar(w_sub(tag, stored_tag), count_bits)
    if w_cmps(diff, ZERO) <= 0 and w_cmps(diff, stale_floor) > 0
        and w_cmpu(w_sub(ZERO, diff), w_sub(last_window, index)) <= 0 then
      window_index = w_sub(index, diff)
      window_tag = stored_tag
      count = w_low(word, count_bits) - 1
    end
  end
  local reply = {'0', w_hex(now), w_hex(window_index), count_string(count)}
  if count + p > permits then
    return reply
  end
  local t = w_unsigned_number(period)
  local idle = w_number(w_sub(window_index, index)) * t + (t - w_unsigned_number(into_window))
  if commit then store(key, w_hex(w_add(window_tag, w_small(count + p + 1))), idle, grace) end
  reply[1] = '1'
  return reply
end
