package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * The strict sliding window in Redis: in every window of length T, whatever its start, granted
 * &le; N, decided by {@code sliding_window.lua} exactly as the engine's kernel decides (k
 * sub-windows of width ceil(T/k), counts in units of 2<sup>unitShift</sup> permits above 2<sup>32</sup>).
 */
final class SlidingWindowScript extends LimitScript {
    /** The widest count field, as in the engine: tags keep at least 32 bits. */
    private static final int MAX_COUNT_BITS = 32;

    final int k;
    final long width;
    private final int countBits;
    final int unitShift;
    private final long unitPermits;
    private final long lastSubWindow;

    SlidingWindowScript(Limit limit) {
        super(limit, "sliding_window.lua", "sliding_window_step");
        this.k = limit.subWindows();
        this.width = Saturating.ceilDiv(limit.periodNanos(), k);
        int bits = 64 - Long.numberOfLeadingZeros(limit.permits() + 1);
        this.countBits = Math.min(MAX_COUNT_BITS, bits);
        this.unitShift = bits - countBits;
        this.unitPermits = limit.permits() >> unitShift;
        this.lastSubWindow = Math.floorDiv(Long.MAX_VALUE, width);
    }

    /** N rounded down to the count unit: a limit above 2^32 - 1 grants whole units only. */
    @Override
    long maxPermits() {
        return Math.min(limit.maxPermitsPerRequest(), unitPermits << unitShift);
    }

    private long units(long p) {
        return unitShift == 0 ? p : ((p - 1) >> unitShift) + 1;
    }

    @Override
    String[] arguments(String time, long graceMillis, long p) {
        return new String[] {time, Long.toString(graceMillis), hex(width), Integer.toString(countBits),
                Integer.toString(k), Long.toString(unitPermits), Long.toString(units(p)), hex(lastSubWindow)};
    }

    @Override
    RedisDecision decide(List<?> reply, long p, String key) {
        long now = word(reply, 1);
        long u = word(reply, 2);
        long sum = count(reply, 3);
        long reset = untilStartOf(u + k + 1, now);
        if (admitted(reply)) {
            return allowed(limit, (unitPermits - sum - units(p)) << unitShift, reset);
        }
        long m = count(reply, 4);
        long retry = m < 0 ? RedisDecision.NEVER : untilStartOf(u + m, now);
        return limited(limit, Math.max(0, unitPermits - sum) << unitShift, retry, reset);
    }

    private long untilStartOf(long index, long now) {
        long start = Saturating.multiplySigned(index, width);
        if (start == Long.MAX_VALUE) {
            return RedisDecision.NEVER;
        }
        return Math.max(1L, Saturating.clampUnsigned(start - now));
    }
}
