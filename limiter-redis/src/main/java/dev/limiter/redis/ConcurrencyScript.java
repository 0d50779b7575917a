package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * Concurrency in Redis: at every instant the permits held by leases are &le; N, each lease reclaimed
 * between H and 2H after it was taken unless released (H = max hold), decided by
 * {@code concurrency.lua} exactly as the engine's kernel decides.
 */
final class ConcurrencyScript extends LimitScript {
    /** The widest count field, as in the engine: at most 2,097,151 permits in flight. */
    static final long MAX_IN_FLIGHT = (1L << 21) - 1;

    private final long permits;
    private final long hold;
    private final int countBits;
    private final long lastGeneration;

    ConcurrencyScript(Limit limit) {
        super(limit, "concurrency.lua");
        if (limit.permits() > MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': a concurrency limit holds at most "
                    + MAX_IN_FLIGHT + " permits in flight, not " + limit.permits());
        }
        this.permits = limit.permits();
        this.hold = Math.max(1L, limit.maxHoldNanos());
        this.countBits = 64 - Long.numberOfLeadingZeros(permits);
        this.lastGeneration = Math.floorDiv(Long.MAX_VALUE, hold);
    }

    @Override
    String[] arguments(String time, long graceMillis, long p) {
        return new String[] {time, Long.toString(graceMillis), hex(hold), Integer.toString(countBits),
                Long.toString(permits), Long.toString(p), "", hex(lastGeneration)};
    }

    /** @return ARGV that give back {@code p} permits of the lease taken in {@code generation} */
    String[] releaseArguments(String time, long graceMillis, long p, long generation) {
        String[] args = arguments(time, graceMillis, p);
        args[6] = hex(generation);
        return args;
    }

    @Override
    RedisDecision decide(List<?> reply, long p, String key) {
        long now = word(reply, 1);
        long gen = word(reply, 2);
        long held = count(reply, 3) + count(reply, 4);
        long cur = count(reply, 4);
        long reset = untilGeneration(gen + 2, now);
        if (admitted(reply)) {
            RedisLease lease = new RedisLease(limit.name(), key, p, gen);
            return new RedisDecision(RedisOutcome.ALLOWED, limit, permits - held - p, 0L, reset, null, lease);
        }
        long retry = untilGeneration(cur + p <= permits ? gen + 1 : gen + 2, now);
        return limited(limit, Math.max(0, permits - held), retry, reset);
    }

    private long untilGeneration(long gen, long now) {
        long start = Saturating.multiplySigned(gen, hold);
        if (start == Long.MAX_VALUE) {
            return RedisDecision.NEVER;
        }
        return Math.max(1L, Saturating.clampUnsigned(start - now));
    }
}
