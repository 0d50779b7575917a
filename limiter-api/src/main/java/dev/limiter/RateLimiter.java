package dev.limiter;

import dev.limiter.internal.BatchArguments;

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

    /**
     * Decides {@code keys[from]} to {@code keys[to - 1]} in that order, each exactly as
     * {@code tryAcquire(keys[i], permits, nowNanos)} would in sequence (a key that appears twice sees its
     * first grant when the second is decided), and writes each answer to {@code granted[i]}, at the
     * key's own index, so that one pair of arrays serves a stream processor's whole buffer. The batch
     * reads no clock: {@code nowNanos} is its one reading. Engines may resolve every key of a batch
     * before deciding any (so that the cache misses of independent keys overlap); the decisions are
     * the same. Allocation-free in this library's engine.
     *
     * @return how many keys of the batch were granted
     * @throws IllegalArgumentException when {@code permits < 1}; nothing is decided
     * @throws IndexOutOfBoundsException when {@code [from, to)} is not a range of {@code keys} and of
     *     {@code granted}; nothing is decided
     * @throws TableFullException when a new key finds the table full and {@link WhenFull#REJECT}
     *     applies: the keys before it are decided and their answers written; it and the keys after
     *     it are not decided
     * @throws IllegalStateException when the limiter is closed
     */
    default int tryAcquireBatch(long[] keys, int from, int to, long permits, long nowNanos, boolean[] granted) {
        BatchArguments.check(keys, from, to, permits, granted);
        int count = 0;
        for (int i = from; i < to; i++) {
            boolean ok = tryAcquire(keys[i], permits, nowNanos, null);
            granted[i] = ok;
            count += ok ? 1 : 0;
        }
        return count;
    }

    /**
     * As {@link #tryAcquireBatch(long[], int, int, long, long, boolean[])} for every key of
     * {@code keys}, with one clock reading for the batch.
     */
    default int tryAcquireBatch(long[] keys, long permits, boolean[] granted) {
        return tryAcquireBatch(keys, 0, keys.length, permits, clock().nanoTime(), granted);
    }

    /**
     * A handle on a hot {@code key} that many threads acquire: an engine may let each thread take up
     * to {@code leasePermits} permits of the key ahead in one step and grant them from its own lease
     * without writing the key's shared state. The limit's guarantee holds exactly as through
     * {@link #handle(long)}, with concurrent callers; the price of a lease is under-admission only:
     * leased permits that the algorithm lets pass unused go to no one, at most {@code leasePermits}
     * per lease. This default leases nothing and returns {@link #handle(long)}; the off-heap engine
     * leases for token buckets.
     *
     * @throws IllegalArgumentException when {@code leasePermits < 1}
     * @throws TableFullException as {@link #handle(long)}
     */
    default LimitHandle leasedHandle(long key, long leasePermits) {
        if (leasePermits < 1) {
            throw new IllegalArgumentException("leasePermits must be at least 1, was " + leasePermits);
        }
        return handle(key);
    }

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
