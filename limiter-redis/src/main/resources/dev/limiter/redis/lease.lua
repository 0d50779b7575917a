--[[
Local permit leasing: one script reserves a batch of up to `want` permits for one instance, which
then grants them itself, without a round trip, for as long as the reservation stays valid.

The reservation is the algorithm's own step, run twice inside one script (so atomically): first
for the `need` permits of the request that triggered it, without writing (commit false); when that
admits, the largest batch g with need <= g <= want that the same state admits is computed from the
probe's reply, and the step is run again for g permits, writing. A denial writes nothing and its
reply is the step's own denial. The reply of a reservation is the step's reply for g permits with
g appended.

    fixed window, sliding window: g = min(want, N - counted before), from the step's reply[4]
    token bucket (GCRA):          g = min(want, floor((tau - backlog) / I)), backlog from the
                                  probe's ahead - cost(need); the cost written is g * I, taken
                                  exactly as tau - backlog minus its remainder mod I (no 64-bit
                                  multiplication in Lua) or the client's want * I

ARGV: [1] time, [2] grace ms, [3] want, [4] want * I (word), [5] I (word) ([4] and [5] are read by
      the GCRA only), [6..] the step's own arguments for `need` permits, exactly as the
      single-limit script takes them from ARGV[3]. The loader appends the call.
]]
local function lease_counted(step, key, now, grace, a, limit_at, p_at, want)
  local probe = step(key, now, grace, a, false)
  if probe[1] ~= '1' then return probe end
  local granted = tonumber(a[limit_at]) - tonumber(probe[4])
  if granted > want then granted = want end
  a[p_at] = count_string(granted)
  local reply = step(key, now, grace, a, true)
  reply[#reply + 1] = count_string(granted)
  return reply
end

local function lease_gcra(key, now, grace, a, interval, want, want_cost)
  local need_cost = w_at(a[1], 1)
  local probe = gcra_step(key, now, grace, a, false)
  if probe[1] ~= '1' then return probe end
  local backlog = w_sub(w_at(probe[3], 1), need_cost)
  local room = w_sub(w_at(a[2], 1), backlog)         -- tau - backlog >= cost(need), unsigned
  local q, r = w_divmod_u(room, interval)
  local granted = want
  local cost = want_cost
  if w_cmpu(q, w_small(want)) < 0 then
    granted = w_number(q)
    cost = w_sub(room, r)
  end
  a[1] = w_hex(cost)
  local reply = gcra_step(key, now, grace, a, true)
  if reply[1] ~= '1' then                            -- the clock's end: the batch does not fit, need does
    a[1] = w_hex(need_cost)
    reply = gcra_step(key, now, grace, a, true)
    granted = w_number(w_divmod_u(need_cost, interval))
  end
  reply[#reply + 1] = count_string(granted)
  return reply
end
