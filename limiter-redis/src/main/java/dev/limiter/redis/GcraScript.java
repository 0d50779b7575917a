package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * The token bucket (GCRA) in Redis: in any interval of length t, granted &le; burst + t/I with
 * I = ceil(period / permits) ns, decided by {@code gcra.lua} exactly as the engine's kernel decides.
 * p&middot;I and tau = burst&middot;I are unsigned 64-bit values (tau clamps at 2^64 - 1), so no
 * figure saturates toward more permits; a request whose p&middot;I exceeds tau is unsatisfiable.
 */
final class GcraScript extends LimitScript {
    final long interval;
    final long tau;
    private final long maxPermits;

    GcraScript(Limit limit) {
        super(limit, "gcra.lua", "gcra_step");
        this.interval = Math.max(1L, Saturating.ceilDiv(limit.periodNanos(), limit.permits()));
        this.tau = Saturating.multiplyUnsigned(limit.burst(), interval);
        this.maxPermits = Math.min(limit.maxPermitsPerRequest(), Long.divideUnsigned(tau, interval));
    }

    @Override
    long maxPermits() {
        return maxPermits;
    }

    /** {@code permits} &le; {@link #maxPermits()}, so p&middot;I &le; tau &lt; 2^64 is exact. */
    @Override
    String[] arguments(String time, long graceMillis, long permits) {
        return new String[] {time, Long.toString(graceMillis), hex(permits * interval), hex(tau)};
    }

    @Override
    RedisDecision decide(List<?> reply, long permits, String key) {
        long now = word(reply, 1);
        if (admitted(reply)) {
            long ahead = word(reply, 2);
            return allowed(limit, Long.divideUnsigned(tau - ahead, interval), Saturating.clampUnsigned(ahead));
        }
        long from = word(reply, 2);
        long cost = permits * interval;
        long backlog = from - now;                             // unsigned, exact: from >= now
        long room = ~(from ^ Long.MIN_VALUE);                  // unsigned: Long.MAX_VALUE - from
        boolean fits = Long.compareUnsigned(cost, room) < 0;     // TAT' = Long.MAX_VALUE is never stored
        long remaining = Long.compareUnsigned(backlog, tau) >= 0 ? 0 : Long.divideUnsigned(tau - backlog, interval);
        remaining = Math.min(remaining, room == 0 ? 0 : Long.divideUnsigned(room - 1, interval)); // the clock's end
        long retry = !fits || Long.compareUnsigned(cost, ~backlog) > 0
                ? RedisDecision.NEVER                          // beyond what the clock can represent
                : Saturating.clampUnsigned(backlog + cost - tau);
        return limited(limit, remaining, retry, Saturating.clampUnsigned(backlog));
    }
}
