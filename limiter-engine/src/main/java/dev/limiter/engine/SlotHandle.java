package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;

/**
 * A key resolved once to its slot: the offset is stable for the table's life (slots never move), so
 * each acquire skips the hash and the probe. Thread-safe (immutable; decisions go through the
 * limiter's store).
 */
final class SlotHandle implements LimitHandle {
    private final OffHeapLimiter limiter;
    private final int offset;

    SlotHandle(OffHeapLimiter limiter, int offset) {
        this.limiter = limiter;
        this.offset = offset;
    }

    /** Handles come only from {@link RateLimiter#handle}, so the core is a rate (or quota) limiter here. */
    @Override
    public RateLimiter limiter() {
        return (RateLimiter) limiter;
    }

    @Override
    public boolean tryAcquire(long permits, long nowNanos, Decision into) {
        KeySpace s = limiter.open();
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        return limiter.acquireAt(s, offset, permits, nowNanos, into);
    }
}
