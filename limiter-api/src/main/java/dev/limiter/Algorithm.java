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
    TOKEN_BUCKET(1),
    /**
     * Fixed window: in each window [kT, (k+1)T), granted &le; N; up to 2N may be granted across one
     * window boundary.
     */
    FIXED_WINDOW(1),
    /**
     * Strict sliding window: in every window of length T, whatever its start, granted &le; N;
     * steady-state use &ge; k/(k+1) of N with k sub-windows.
     */
    SLIDING_WINDOW(-1),
    /**
     * Concurrency: at every instant, leases held &le; N; a lease never released is reclaimed after
     * its maximum hold time H (lazily: between H and 2H after it was taken, at the key's next acquire).
     */
    CONCURRENCY(1),
    /** Quota: total granted &le; N until an operator resets or raises it. */
    QUOTA(1),
    /** Cardinality: distinct member keys admitted under one parent key &le; N. */
    CARDINALITY(-1);

    private final int fixedStateWords;

    Algorithm(int fixedStateWords) {
        this.fixedStateWords = fixedStateWords;
    }

    /**
     * @return how many 64-bit state words one key needs, or -1 where it depends on the limit's
     *     configuration (sub-windows, cardinality)
     */
    public int fixedStateWords() {
        return fixedStateWords;
    }
}
