package dev.limiter;

/**
 * One {@link Limit} applied independently to many keys: each key has its own state, and the
 * limit's guarantee (see {@link Algorithm}) holds for every key separately.
 *
 * <p>Keys are 64-bit ids, or character/byte strings reduced to a 128-bit fingerprint by the
 * implementation (two distinct strings share state only if their fingerprints collide, which the
 * implementation documents). Implementations are thread-safe and, on an allowed acquire, take no
 * lock and allocate nothing.
 *
 * <p>Every acquire takes "now" from the caller or from {@link #clock()}. A caller whose "now" is
 * older than the latest time a key has seen is treated as acting at that latest time, so a stalled
 * thread can never make a key over-admit.
 */
public interface Limiter {

    /** @return the limit this limiter enforces */
    Limit limit();

    /** @return the clock used when no "now" is passed */
    Clock clock();

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
     * Takes {@code permits} from a {@link Algorithm#CONCURRENCY} limit for {@code key}, held until
     * the returned lease is closed or reclaimed after the limit's maximum hold time.
     *
     * @return the lease, or null when denied (the reason is in {@code into} when non-null)
     * @throws UnsupportedOperationException when this limiter's algorithm is not concurrency
     * @throws IllegalArgumentException when {@code permits < 1}; nothing is consumed
     */
    Lease tryLease(long key, long permits, long nowNanos, Decision into);

    /** As {@link #tryLease(long, long, long, Decision)} for a string key. */
    Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into);

    /**
     * Resolves {@code key} once, claiming its slot if it is new.
     *
     * @throws TableFullException when the key is new and the table is full (whatever {@link WhenFull} says)
     */
    LimitHandle handle(long key);

    /** As {@link #handle(long)} for a string key. */
    LimitHandle handle(CharSequence key);

    /** @return how many keys currently hold state */
    long keyCount();

    /** @return how many keys the table can hold */
    long capacity();

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
