package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * The token bucket (GCRA) in Redis: in any interval of length t, granted &le; burst + t/I with
 * I = ceil(period / permits) ns, decided by {@code gcra.lua} exactly as the engine's kernel decides.
 */
final class GcraScript extends LimitScript {
    private final long interval;
    private final long tau;

    GcraScript(Limit limit) {
        super(limit, "gcra.lua", "gcra_step");
        this.interval = Math.max(1L, Saturating.ceilDiv(limit.periodNanos(), limit.permits()));
        this.tau = Saturating.multiply(limit.burst(), interval);
    }

    @Override
    String[] arguments(String time, long graceMillis, long permits) {
        return new String[] {time, Long.toString(graceMillis), hex(Saturating.multiply(permits, interval)), hex(tau)};
    }

    @Override
    RedisDecision decide(List<?> reply, long permits, String key) {
        long now = word(reply, 1);
        if (admitted(reply)) {
            long ahead = word(reply, 2);
            return allowed(limit, (tau - ahead) / interval, ahead);
        }
        long base = word(reply, 2);
        long cost = Saturating.multiply(permits, interval);
        long newTat = base + cost;
        long ahead = newTat - now;
        long retry = newTat < base || ahead < 0 ? RedisDecision.NEVER : ahead - tau;
        long backlog = Saturating.clampUnsigned(base - now);
        long remaining = backlog >= tau ? 0 : (tau - backlog) / interval;
        return limited(limit, remaining, retry, backlog);
    }
}
