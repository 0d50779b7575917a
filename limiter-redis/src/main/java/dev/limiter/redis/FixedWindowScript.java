package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * The fixed window in Redis: in each aligned window [kT, (k+1)T), granted &le; N, decided by
 * {@code fixed_window.lua} exactly as the engine's kernel decides.
 */
final class FixedWindowScript extends LimitScript {
    final long period;
    private final long permits;
    private final int countBits;
    private final long lastWindow;

    FixedWindowScript(Limit limit) {
        super(limit, "fixed_window.lua", "fixed_window_step");
        this.period = limit.periodNanos();
        this.permits = limit.permits();
        this.countBits = 64 - Long.numberOfLeadingZeros(permits + 1);
        this.lastWindow = Math.floorDiv(Long.MAX_VALUE, period);
    }

    @Override
    String[] arguments(String time, long graceMillis, long p) {
        return new String[] {time, Long.toString(graceMillis), hex(period), Integer.toString(countBits),
                Long.toString(permits), Long.toString(p), hex(lastWindow)};
    }

    @Override
    RedisDecision decide(List<?> reply, long p, String key) {
        long now = word(reply, 1);
        long windowIndex = word(reply, 2);
        long count = count(reply, 3);
        long reset = resetAfter(windowIndex, now);
        if (admitted(reply)) {
            return allowed(limit, permits - count - p, reset);
        }
        return limited(limit, Math.max(0, permits - count), Math.max(1L, reset), reset);
    }

    private long resetAfter(long windowIndex, long now) {
        long end = Saturating.add(Saturating.multiplySigned(windowIndex, period), period);
        if (end == Long.MAX_VALUE) {
            return RedisDecision.NEVER;
        }
        return Saturating.clampUnsigned(end - now);
    }
}
