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

    /**
     * Admits {@code member} under {@code parent} for a {@link Algorithm#CARDINALITY} limit: allowed
     * when the member was already admitted, or when fewer than N distinct members are.
     *
     * @return whether the member is admitted
     * @throws UnsupportedOperationException when this limiter's algorithm is not cardinality
     * @throws TableFullException as for {@link #tryAcquire(long, long, long, Decision)}
     * @throws IllegalStateException when the limiter is closed
     */
    default boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
        throw new UnsupportedOperationException("limit '" + limit().name() + "' is " + limit().algorithm()
                + "; members are admitted by cardinality limits");
    }

    /** As {@link #tryAdmit(long, long, long, Decision)} for string keys. */
    default boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
        throw new UnsupportedOperationException("limit '" + limit().name() + "' is " + limit().algorithm()
                + "; members are admitted by cardinality limits");
    }

    /**
     * Operator action: gives {@code key} its own limit of {@code permits} (same algorithm, period and
     * other settings), raising or lowering it without losing the key's state: permits already
     * granted keep counting. Replaces an earlier override of the key.
     *
     * @throws FixedLimitException when the limit is {@link Limit#overridable() fixed}; nothing changes
     * @throws IllegalArgumentException when {@code permits} is outside [1, {@link Limit#MAX_PERMITS}]
     *     or beyond what the key's state can count; nothing changes
     * @throws TableFullException when the key is new and the table is full
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

    /**
     * Operator action for {@link Algorithm#QUOTA} and {@link Algorithm#CARDINALITY} limits, which
     * never replenish by themselves: {@code key} starts a fresh total (no permits used, no members).
     * Allowed on fixed limits too: a reset restores the limit, it does not lift it.
     *
     * @throws UnsupportedOperationException for time-based limits, which replenish on their own
     */
    default void reset(long key) {
        throw new UnsupportedOperationException("limit '" + limit().name() + "' is " + limit().algorithm()
                + "; only quota and cardinality limits are reset by an operator");
    }

    /** As {@link #reset(long)} for a string key. */
    default void reset(CharSequence key) {
        throw new UnsupportedOperationException("limit '" + limit().name() + "' is " + limit().algorithm()
                + "; only quota and cardinality limits are reset by an operator");
    }

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
