package dev.limiter;

/**
 * The algorithms a {@link Limit} can use; each states exactly what "never exceeded" means.
 *
 * <p>T is the limit's period and N its permits.
 */
public enum Algorithm {
    /**
     * Generic cell rate algorithm (a token bucket kept as one theoretical-arrival-time word):
     * in any interval of length t, granted &le; burst + rate&middot;t, where rate = N/T rounded down.
     */
    TOKEN_BUCKET,
    /**
     * Fixed window: in each window [kT, (k+1)T), granted &le; N; up to 2N may be granted across one
     * window boundary.
     */
    FIXED_WINDOW,
    /**
     * Strict sliding window: in every window of length T, whatever its start, granted &le; N;
     * steady-state use &ge; T / ((k+1) &middot; ceil(T/k)) of N with k sub-windows of width
     * ceil(T/k) nanoseconds, which is k/(k+1) of N when k divides T.
     */
    SLIDING_WINDOW,
    /**
     * Concurrency: at every instant, the permits held by leases that are neither released nor past
     * their maximum hold time H total &le; N; a lease never released stops counting between H and
     * 2H after it was taken (lazily, at the key's next decision).
     */
    CONCURRENCY,
    /** Quota: total granted &le; N until an operator resets or raises it. */
    QUOTA,
    /** Cardinality: distinct member keys admitted under one parent key &le; N. */
    CARDINALITY
}
