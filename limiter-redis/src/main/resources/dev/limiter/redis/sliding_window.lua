--[[
Strict sliding window, the engine's SlidingWindowKernel step (EXACTNESS.md section 1).

State: a string of 1 + R words (16 hex digits each), R = k + 1:
    word 1        head    = tag(u) << countBits | (count(u) + 1); 0 = never seen
    word 2 + i    ring[i] = tag(x) << countBits | count(x), a sealed sub-window x with x mod R = i;
                            0 or a wrong tag counts as empty
Counts are in units of 2^unitShift permits (the client converts permits to units); countBits <= 32.
A missing key reads as all-zero words.

ARGV: [1] time, [2] grace ms, [3] w = ceil(T / k) (word), [4] countBits, [5] k,
      [6] N in units, [7] p in units, [8] the last sub-window, floorDiv(Long.MAX_VALUE, w) (word).
Step: j = floorDiv(now, w); d = (tag(j) - tag(head)) >> countBits. d in (-S, 0] (S =
2^(62 - countBits)) with j - d at most the last sub-window: the caller acts at the head's
sub-window u = j - d (past the clock's end the difference is a wrapped tag, not a later key). d in [1, k]: a roll to
u = j, and the head's count h = j - d still counts (and is sealed before the head moves). Otherwise
u = j afresh. Admit iff count(u) + sum of ring slots tagged u-k .. u-1 (+ the rolling head) + p
<= N; then seal h by max-merge into ring[h mod R] and store head = tag(u) | (count(u) + p + 1). A
denial writes nothing. One script runs alone, so the kernel's CAS retries never happen here.
Expiry: idle once j > u + k, that is after (u - j + k + 1) * w - (now mod w).
Reply: {admitted '1'/'0', now, u, sum before this request, m}: when denied, m is the least m in
[1, k + 1] such that the permits leaving the window by sub-window u + m cover the excess, or -1.
Defined as sliding_window_step(key, now, grace, a, commit) with a = ARGV[3..] below. With commit
false it decides and writes nothing: a composite decision checks every limit before it commits
any. The loader appends the call for a single limit.
]]
local function sliding_window_step(key, now, grace, a, commit)
  local width = w_at(a[1], 1)
  local count_bits = tonumber(a[2])
  local k = tonumber(a[3])
  local unit_permits = tonumber(a[4])
  local p = tonumber(a[5])
  local last_sub_window = w_at(a[6], 1)
  local ring = k + 1

  local words, layout_error = load_words(key, ring + 1)
  if not words then return redis.error_reply(layout_error) end

  local stale_floor = w_sub(ZERO, w_shl(ONE, 62 - count_bits))
  local j, into_sub_window = w_floor_divmod(now, width)
  local head = words[1]
  local u = j
  local current = 0
  local roll_from = nil
  local roll_count = -1
  local roll_back = 0
  if not w_is_zero(head) then
    local d = w_sar(w_sub(w_shl(j, count_bits), w_high(head, count_bits)), count_bits)
    local head_count = w_low(head, count_bits) - 1
    if w_cmps(d, ZERO) <= 0 and w_cmps(d, stale_floor) > 0
        and w_cmpu(w_sub(ZERO, d), w_sub(last_sub_window, j)) <= 0 then
      u = w_sub(j, d)
      current = head_count
    elseif w_cmps(d, ZERO) > 0 and w_cmps(d, w_small(k)) <= 0 then
      roll_back = w_number(d)
      roll_from = w_sub(j, d)
      roll_count = head_count
    end
  end
  local _, u_slot_word = w_floor_divmod(u, w_small(ring))
  local u_slot = u_slot_word[2]

  -- the count of sub-window `index` sealed in ring slot `at` (0-based), or 0 when the tag differs
  local function slot_count(at, index)
    local s = words[2 + at]
    if w_eq(w_high(s, count_bits), w_shl(index, count_bits)) then return w_low(s, count_bits) end
    return 0
  end

  local function counted(at, index)
    local c = slot_count(at, index)
    if roll_count >= 0 and w_eq(index, roll_from) and roll_count > c then c = roll_count end
    return c
  end

  local sum = 0
  local at = u_slot
  for i = 1, k do
    at = (at == 0) and (ring - 1) or (at - 1)
    sum = sum + counted(at, w_sub(u, w_small(i)))
  end
  sum = current + sum

  if sum + p > unit_permits then
    local excess = sum + p - unit_permits
    local freed = 0
    local found = -1
    at = (u_slot - k) % ring
    for m = 1, k + 1 do
      if m == k + 1 then
        freed = freed + current
      else
        freed = freed + counted(at, w_sub(u, w_small(k - m + 1)))
        at = (at == ring - 1) and 0 or (at + 1)
      end
      if freed >= excess then found = m; break end
    end
    return {'0', w_hex(now), w_hex(u), count_string(sum), count_string(found)}
  end

  if roll_count >= 0 then
    local seal_at = (u_slot - roll_back) % ring
    local tag = w_shl(roll_from, count_bits)
    local s = words[2 + seal_at]
    if not (w_eq(w_high(s, count_bits), tag) and w_low(s, count_bits) >= roll_count) then
      words[2 + seal_at] = w_add(tag, w_small(roll_count))
    end
  end
  words[1] = w_add(w_shl(u, count_bits), w_small(current + p + 1))
  local hex = {}
  for i = 1, ring + 1 do hex[i] = w_hex(words[i]) end
  local idle = (w_number(w_sub(u, j)) + k + 1) * w_unsigned_number(width) - w_unsigned_number(into_sub_window)
  if commit then store(key, table.concat(hex), idle, grace) end
  return {'1', w_hex(now), w_hex(u), count_string(sum), '0'}
end
