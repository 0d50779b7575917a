package dev.limiter;

/**
 * One key of one {@link RateLimiter}, resolved once so that each acquire skips the key lookup.
 *
 * <p>Thread-safe: any number of threads may acquire through the same handle. A handle stays
 * valid until its limiter is closed; after that every call throws {@link IllegalStateException}.
 */
public interface LimitHandle {

    /** @return the limiter this handle belongs to */
    RateLimiter limiter();

    /**
     * Tries to take {@code permits} at {@code nowNanos} and, when {@code into} is non-null, records
     * the full decision there.
     *
     * @throws IllegalArgumentException when {@code permits < 1}; nothing is consumed
     * @throws IllegalStateException when the limiter is closed
     */
    boolean tryAcquire(long permits, long nowNanos, Decision into);

    /** Takes one permit at the limiter clock's current time. */
    default boolean tryAcquire() {
        return tryAcquire(1, limiter().clock().nanoTime(), null);
    }

    /** Takes {@code permits} at the limiter clock's current time. */
    default boolean tryAcquire(long permits) {
        return tryAcquire(permits, limiter().clock().nanoTime(), null);
    }

    /** Takes {@code permits} at the caller-supplied time, saving a clock read. */
    default boolean tryAcquire(long permits, long nowNanos) {
        return tryAcquire(permits, nowNanos, null);
    }
}
