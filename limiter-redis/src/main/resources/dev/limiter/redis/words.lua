--[[
Prelude shared by every limiter script (the loader prepends it to each script body).

Redis runs Lua 5.1, whose numbers are IEEE doubles: integers are exact only up to 2^53. The
engine's state words and times are 64-bit two's-complement longs, so a script never holds one in
a single number. A word here is a table {h, l}: the high and low 32 bits, each an integer in
[0, 2^32). Every operation below works on the halves and is exact for the whole 64-bit range;
add and sub wrap modulo 2^64 exactly like Java's long arithmetic. Plain numbers are used only for
counts (< 2^44) and for approximate durations that only size a key's expiry.

On the wire and in Redis values a word is 16 lower-case hex digits, big-endian: the same bits as
the engine's long (Long.toHexString, zero-padded).
]]
local TWO32 = 4294967296
local TWO31 = 2147483648
local ZERO = {0, 0}
local ONE = {0, 1}
local MAX_WORD = {TWO31 - 1, TWO32 - 1}   -- Long.MAX_VALUE

-- the word at position i (1-based) of a hex string
local function w_at(s, i)
  return {tonumber(string.sub(s, i, i + 7), 16), tonumber(string.sub(s, i + 8, i + 15), 16)}
end

local function w_hex(a)
  return string.format('%08x%08x', a[1], a[2])
end

-- a plain integer |n| < 2^53 as a word
local function w_sub(a, b)
  local l = a[2] - b[2]
  local c = 0
  if l < 0 then l = l + TWO32; c = 1 end
  return {(a[1] - b[1] - c) % TWO32, l}
end

-- a plain integer |n| < 2^53 as a word
local function w_small(n)
  if n >= 0 then return {math.floor(n / TWO32), n % TWO32} end
  return w_sub(ZERO, {math.floor(-n / TWO32), (-n) % TWO32})
end

local function w_add(a, b)
  local l = a[2] + b[2]
  local c = 0
  if l >= TWO32 then l = l - TWO32; c = 1 end
  return {(a[1] + b[1] + c) % TWO32, l}
end

local function w_eq(a, b)
  return a[1] == b[1] and a[2] == b[2]
end

local function w_is_zero(a)
  return a[1] == 0 and a[2] == 0
end

-- unsigned comparison: -1, 0 or 1
local function w_cmpu(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end

-- signed comparison: -1, 0 or 1
local function w_cmps(a, b)
  local ah, bh = (a[1] + TWO31) % TWO32, (b[1] + TWO31) % TWO32
  if ah ~= bh then return ah < bh and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end

-- a ^ Long.MIN_VALUE
local function w_flip_sign(a)
  return {(a[1] + TWO31) % TWO32, a[2]}
end

-- a << n for 0 <= n < 64 (bits shifted out are lost, as in Java)
local function w_shl(a, n)
  if n == 0 then return a end
  if n >= 32 then return {(a[2] % 2 ^ (64 - n)) * 2 ^ (n - 32), 0} end
  local keep = 2 ^ (32 - n)
  return {(a[1] % keep) * 2 ^ n + math.floor(a[2] / keep), (a[2] % keep) * 2 ^ n}
end

-- a >> n (arithmetic, sign-extending) for 0 < n < 64
local function w_sar(a, n)
  local negative = a[1] >= TWO31
  if n >= 32 then
    local l = math.floor(a[1] / 2 ^ (n - 32))
    if negative then return {TWO32 - 1, l + (TWO32 - 2 ^ (64 - n))} end
    return {0, l}
  end
  local h = math.floor(a[1] / 2 ^ n)
  local l = math.floor(a[2] / 2 ^ n) + (a[1] % 2 ^ n) * 2 ^ (32 - n)
  if negative then h = h + (TWO32 - 2 ^ (32 - n)) end
  return {h, l}
end

-- a & (2^n - 1) as a plain number, for 0 < n <= 52
local function w_low(a, n)
  if n > 32 then return (a[1] % 2 ^ (n - 32)) * TWO32 + a[2] end
  return a[2] % 2 ^ n
end

-- a & ~(2^n - 1), for 0 < n < 64
local function w_high(a, n)
  if n >= 32 then return {a[1] - a[1] % 2 ^ (n - 32), 0} end
  return {a[1], a[2] - a[2] % 2 ^ n}
end

-- the signed value as a number: exact when |a| < 2^53, else the nearest double
local function w_number(a)
  if a[1] >= TWO31 then return (a[1] - TWO32) * TWO32 + a[2] end
  return a[1] * TWO32 + a[2]
end

-- the unsigned value as a number (nearest double)
local function w_unsigned_number(a)
  return a[1] * TWO32 + a[2]
end

-- unsigned a / b and a % b, for any a and 0 < b < 2^63: binary long division, one bit per step
local function w_divmod_u(a, b)
  local qh, ql, rh, rl = 0, 0, 0, 0
  local bh, bl = b[1], b[2]
  for i = 63, 0, -1 do
    local bit
    if i >= 32 then bit = math.floor(a[1] / 2 ^ (i - 32)) % 2 else bit = math.floor(a[2] / 2 ^ i) % 2 end
    rl = rl * 2 + bit
    rh = rh * 2                               -- r < b < 2^63, so 2r < 2^64: no bit is lost
    if rl >= TWO32 then rl = rl - TWO32; rh = rh + 1 end
    if rh > bh or (rh == bh and rl >= bl) then
      rl = rl - bl
      rh = rh - bh
      if rl < 0 then rl = rl + TWO32; rh = rh - 1 end
      if i >= 32 then qh = qh + 2 ^ (i - 32) else ql = ql + 2 ^ i end
    end
  end
  return {qh, ql}, {rh, rl}
end

-- Math.floorDiv(a, b) and Math.floorMod(a, b) for signed a and 0 < b < 2^63
local function w_floor_divmod(a, b)
  if a[1] < TWO31 then return w_divmod_u(a, b) end
  local q, r = w_divmod_u(w_sub(ZERO, a), b)   -- -MIN_VALUE is 2^63 unsigned: still exact
  if w_is_zero(r) then return w_sub(ZERO, q), r end
  return w_sub(ZERO, w_add(q, ONE)), w_sub(b, r)
end

--[[
The decision's time. ARGV[1] is either the caller's time (a word) or 'server': then the time is
Redis's TIME (seconds and microseconds since the epoch) in nanoseconds. TIME is not deterministic,
so the script switches to effects replication before it writes anything (Redis 6; a no-op in 7).
]]
local function decision_time(arg)
  if arg ~= 'server' then return w_at(arg, 1) end
  redis.replicate_commands()
  local t = redis.call('TIME')
  local s = tonumber(t[1])
  local micros = tonumber(t[2])
  local high = math.floor(s / 65536)           -- s * 10^9 = (high * 10^9) << 16 + low * 10^9, each < 2^53
  local low = s % 65536
  return w_add(w_add(w_shl(w_small(high * 1000000000), 16), w_small(low * 1000000000)), w_small(micros * 1000))
end

--[[
Writes a key's state. idle_nanos: after about that many nanoseconds of the decision's clock the
state decides exactly as a key never seen, so the key may vanish; nil = never. The expiry is rounded
up to whole milliseconds plus one, plus the limit's grace (ARGV[2], milliseconds) for callers whose
clocks lag; beyond 2^46 ms (2,200 years) the key simply persists.
]]
local function store(key, value, idle_nanos, grace_millis)
  if idle_nanos == nil then
    redis.call('SET', key, value)
    return
  end
  local ms = math.ceil(idle_nanos / 1000000) + 1 + grace_millis
  if ms > 70368744177664 then
    redis.call('SET', key, value)
  else
    redis.call('SET', key, value, 'PX', string.format('%.0f', ms))
  end
end

--[[
The key's state as n words, all zero when the key is missing (a key never seen); or nil and an
error message when the stored value is not n words - another limit's layout under this key (a
limit renamed or reconfigured) - which the script answers with an error reply and no write.
]]
local function load_words(key, n)
  local state = redis.call('GET', key)
  local words = {}
  if not state then
    for i = 1, n do words[i] = ZERO end
    return words
  end
  if #state ~= 16 * n or not string.find(state, '^%x+$') then
    return nil, 'LIMITER_LAYOUT state of ' .. key .. ' has ' .. #state
        .. ' characters, the limit stores ' .. (16 * n) .. ' hex digits'
  end
  for i = 1, n do words[i] = w_at(state, 16 * i - 15) end
  return words
end

-- ARGV[first], ..., ARGV[first + count - 1] as a table
local function argv_from(first, count)
  local a = {}
  for i = 1, count do a[i] = ARGV[first + i - 1] end
  return a
end

local function count_string(n)
  return string.format('%.0f', n)
end
