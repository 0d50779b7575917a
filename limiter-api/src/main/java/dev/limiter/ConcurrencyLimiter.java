package dev.limiter;

/**
 * A {@link Limiter} for an {@link Algorithm#CONCURRENCY} limit: it hands out {@link Lease}s, whose
 * permits count until the lease is closed or reclaimed after the limit's maximum hold time. It has
 * no {@code tryAcquire}: permits taken without a lease could never be given back.
 */
public interface ConcurrencyLimiter extends Limiter {

    /**
     * Takes {@code permits} for {@code key}, held until the returned lease is closed or reclaimed
     * after the limit's maximum hold time.
     *
     * @return the lease, or null when denied (the reason is in {@code into} when non-null)
     * @throws IllegalArgumentException when {@code permits < 1}; nothing is consumed
     * @throws TableFullException when the key is new, the table is full, and {@link WhenFull#REJECT} applies
     * @throws IllegalStateException when the limiter is closed
     */
    Lease tryLease(long key, long permits, long nowNanos, Decision into);

    /** As {@link #tryLease(long, long, long, Decision)} for a string key. */
    Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into);
}
