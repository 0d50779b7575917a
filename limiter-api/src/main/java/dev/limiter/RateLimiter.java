package dev.limiter;

/**
 * A {@link Limiter} that takes permits: token bucket, fixed window, sliding window and (as
 * {@link QuotaLimiter}) quota limits. Each acquire grants its permits or refuses them, within the
 * limit's {@link Algorithm} guarantee per key.
 */
public interface RateLimiter extends Limiter {

    /**
     * Tries to take {@code permits} for {@code key} at {@code nowNanos}; when {@code into} is
     * non-null the full decision is recorded there.
     *
     * @return whether the permits were granted
     * @throws IllegalArgumentException when {@code permits < 1}; nothing is consumed
     * @throws TableFullException when the key is new, the table is full, and {@link WhenFull#REJECT} applies
     * @throws IllegalStateException when the limiter is closed
     */
    boolean tryAcquire(long key, long permits, long nowNanos, Decision into);

    /** As {@link #tryAcquire(long, long, long, Decision)} for a string key. */
    boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into);

    /** As {@link #tryAcquire(long, long, long, Decision)} for a byte-string key. */
    boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into);

    /**
     * Resolves {@code key} once, claiming its slot if it is new.
     *
     * @throws TableFullException when the key is new and the table is full (whatever {@link WhenFull} says)
     */
    LimitHandle handle(long key);

    /** As {@link #handle(long)} for a string key. */
    LimitHandle handle(CharSequence key);

    /** Takes one permit for {@code key} now. */
    default boolean tryAcquire(long key) {
        return tryAcquire(key, 1, clock().nanoTime(), null);
    }

    /** Takes {@code permits} for {@code key} now. */
    default boolean tryAcquire(long key, long permits) {
        return tryAcquire(key, permits, clock().nanoTime(), null);
    }

    /** Takes {@code permits} for {@code key} at the caller-supplied time. */
    default boolean tryAcquire(long key, long permits, long nowNanos) {
        return tryAcquire(key, permits, nowNanos, null);
    }

    /** Takes one permit for a string key now. */
    default boolean tryAcquire(CharSequence key) {
        return tryAcquire(key, 1, clock().nanoTime(), null);
    }

    /** Takes {@code permits} for a string key now. */
    default boolean tryAcquire(CharSequence key, long permits) {
        return tryAcquire(key, permits, clock().nanoTime(), null);
    }
}
