--[[
Concurrency, the engine's ConcurrencyKernel step: at most N permits held at once by leases; a lease
never released is reclaimed lazily after its maximum hold time H (between H and 2H after it was
taken), by generations g = floor(t / H).

State: a string of one word (16 hex digits), C = countBits (bits of N, at most 21):
    bits 63..2C+1  generation tag (gen << (2C + 1))
    bit  2C        seen: 1 in every word written (all zero = never seen)
    bits 2C-1..C   prev: permits held by leases of generation gen - 1
    bits C-1..0    cur:  permits held by leases of generation gen

ARGV: [1] time, [2] grace ms, [3] H (word), [4] C, [5] N, [6] p,
      [7] '' to acquire, or the generation of the lease to release (word),
      [8] the last generation, floorDiv(Long.MAX_VALUE, H) (word).
Acquire: g = floorDiv(now, H) (Long.MIN_VALUE moved up by one). d = g - gen in the tag bits:
-S < d <= 0 (S = 2^(62 - 2C - 1)) with the key's generation g - d at most the last generation,
the caller acts in the key's generation; d = 1, roll to (g, cur, 0); anything else (d >= 2, a tag
that wrapped while the key was idle, a generation beyond the clock's end) rolls to (g, 0, 0).
Admit iff prev + cur + p <= N, then store (gen, prev, cur + p); the lease is its generation.
Release: unless the lease is beyond the tag horizon (2^(62 - 2C - 1) generations old), subtract
min(p, cur) when the key is still in the lease's generation, min(p, prev) when one later;
otherwise the lease was reclaimed by a roll and nothing changes. A release keeps the key's expiry.
A denial writes nothing.
Expiry: idle once generation gen + 2 begins: after (gen - g + 2) * H - (now mod H).
Reply, acquire: {admitted '1'/'0', now, gen, prev, cur} (counts before this request);
       release: {'1' when permits were given back, else '0'}.
]]
local key = KEYS[1]
local now = decision_time(ARGV[1])
local grace = tonumber(ARGV[2])
local hold = w_at(ARGV[3], 1)
local count_bits = tonumber(ARGV[4])
local permits = tonumber(ARGV[5])
local p = tonumber(ARGV[6])
local last_generation = w_at(ARGV[8], 1)
local tag_shift = 2 * count_bits + 1
local count_unit = 2 ^ count_bits

local words, layout_error = load_words(key, 1)
if not words then return redis.error_reply(layout_error) end
local word = words[1]

if ARGV[7] ~= '' then
  local lease = w_at(ARGV[7], 1)
  local g = w_floor_divmod(now, hold)
  if w_cmps(g, lease) > 0 and w_cmps(w_sub(g, lease), w_shl(ONE, 62 - tag_shift)) >= 0 then
    return {'0'}
  end
  if w_is_zero(word) then return {'0'} end
  local d = w_sar(w_sub(w_shl(lease, tag_shift), w_high(word, tag_shift)), tag_shift)
  local back
  if w_is_zero(d) then
    back = math.min(p, w_low(word, count_bits))
  elseif w_eq(d, w_sub(ZERO, ONE)) then
    back = math.min(p, math.floor(w_low(word, 2 * count_bits) / count_unit)) * count_unit
  else
    return {'0'}
  end
  if back == 0 then return {'0'} end
  redis.call('SET', key, w_hex(w_sub(word, w_small(back))), 'KEEPTTL')
  return {'1'}
end

local g, into_generation = w_floor_divmod(now, hold)
if w_eq(g, {TWO31, 0}) then g = w_add(g, ONE) end
local gen = g
local prev = 0
local cur = 0
if not w_is_zero(word) then
  local d = w_sar(w_sub(w_shl(g, tag_shift), w_high(word, tag_shift)), tag_shift)
  if w_cmps(d, ZERO) <= 0 and w_cmps(d, w_sub(ZERO, w_shl(ONE, 62 - tag_shift))) > 0
      and w_cmpu(w_sub(ZERO, d), w_sub(last_generation, g)) <= 0 then
    gen = w_sub(g, d)
    prev = math.floor(w_low(word, 2 * count_bits) / count_unit)
    cur = w_low(word, count_bits)
  elseif w_eq(d, ONE) then
    prev = w_low(word, count_bits)
  end
end
local reply = {'0', w_hex(now), w_hex(gen), count_string(prev), count_string(cur)}
if prev + cur + p > permits then
  return reply
end
local low = 2 ^ (2 * count_bits) + prev * count_unit + cur + p
local h = w_unsigned_number(hold)
local idle = (w_number(w_sub(gen, g)) + 2) * h - w_unsigned_number(into_generation)
store(key, w_hex(w_add(w_shl(gen, tag_shift), w_small(low))), idle, grace)
reply[1] = '1'
return reply
