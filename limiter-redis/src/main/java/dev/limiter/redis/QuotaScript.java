package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * The quota in Redis: the permits granted to a key total at most N until an operator resets it,
 * decided by {@code quota.lua} exactly as the engine's kernel decides.
 */
final class QuotaScript extends LimitScript {
    private final long permits;

    QuotaScript(Limit limit) {
        super(limit, "quota.lua", "quota_step");
        this.permits = limit.permits();
    }

    @Override
    String[] arguments(String time, long graceMillis, long p) {
        return new String[] {time, Long.toString(graceMillis), Long.toString(permits), Long.toString(p)};
    }

    @Override
    RedisDecision decide(List<?> reply, long p, String key) {
        long used = count(reply, 2);
        if (admitted(reply)) {
            return allowed(limit, permits - used - p, RedisDecision.NEVER);
        }
        return limited(limit, Math.max(0, permits - used), RedisDecision.NEVER, RedisDecision.NEVER);
    }
}
