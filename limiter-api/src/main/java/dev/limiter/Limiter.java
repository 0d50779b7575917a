package dev.limiter;

/**
 * One {@link Limit} applied independently to many keys: each key has its own state, and the
 * limit's guarantee (see {@link Algorithm}) holds for every key separately.
 *
 * <p>This type holds what every algorithm shares; the operations that take permits depend on the
 * algorithm and live in its own type, so that the compiler refuses an operation the limit cannot
 * perform: {@link RateLimiter} (token bucket, fixed and sliding windows, and {@link QuotaLimiter}
 * for quotas) takes permits, {@link ConcurrencyLimiter} hands out leases, and
 * {@link CardinalityLimiter} admits members. An engine's limiter of a given algorithm is always an
 * instance of that algorithm's type (and of no other of these types); the engine's typed lookups,
 * such as {@link LimiterEngine#rateLimiter(String)}, return it as that type.
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
     * Operator action: gives {@code key} its own limit of {@code permits} (same algorithm, period and
     * other settings), raising or lowering it without losing the key's state: permits already
     * granted keep counting. Replaces an earlier override of the key.
     *
     * @throws FixedLimitException when the limit is {@link Limit#overridable() fixed}; nothing changes
     * @throws IllegalArgumentException when {@code permits} is outside [1, {@link Limit#MAX_PERMITS}]
     *     or beyond what the key's state can count; nothing changes
     * @throws TableFullException when the key is new and the table is full
     * @throws UnsupportedOperationException when the engine keeps no per-key overrides (the
     *     off-heap engine keeps them for every algorithm)
     */
    default void override(long key, long permits) {
        throw new UnsupportedOperationException("limiter '" + limit().name() + "' does not support overrides");
    }

    /** As {@link #override(long, long)} for a string key. */
    default void override(CharSequence key, long permits) {
        throw new UnsupportedOperationException("limiter '" + limit().name() + "' does not support overrides");
    }

    /**
     * Operator action: returns {@code key} to the limit's own N, keeping its state.
     *
     * @return whether the key had an override
     */
    default boolean clearOverride(long key) {
        return false;
    }

    /** As {@link #clearOverride(long)} for a string key. */
    default boolean clearOverride(CharSequence key) {
        return false;
    }

    /** @return the N in force for {@code key}: its override, else {@code limit().permits()} */
    default long permitsFor(long key) {
        return limit().permits();
    }

    /** As {@link #permitsFor(long)} for a string key. */
    default long permitsFor(CharSequence key) {
        return limit().permits();
    }

    /** @return how many keys currently hold state */
    long keyCount();

    /**
     * @return how many idle keys this limiter has evicted from its table so far (a key evicted
     *     decides exactly as a kept one would); 0 for implementations that never evict
     */
    default long evictions() {
        return 0;
    }

    /** @return how many keys the table can hold */
    long capacity();
}
