package dev.limiter;

/**
 * Permits held from a {@link ConcurrencyLimiter} until released.
 *
 * <p>Releasing is idempotent: the first {@link #close()} returns the permits, later calls do
 * nothing. A lease held past its limit's maximum hold time H is reclaimed by the limiter; releasing
 * it afterwards does nothing, so a late release can never free a permit twice. When and how it is
 * reclaimed is the engine's to document (the off-heap engine reclaims it on a timer at H, at most
 * one timer tick later, and {@link #wasReclaimed()} then says so).
 */
public interface Lease extends AutoCloseable {

    /** @return the limiter the permits came from */
    ConcurrencyLimiter limiter();

    /** @return the permits held */
    long permits();

    /** @return false once released or reclaimed */
    boolean isHeld();

    /**
     * @return true if the limiter reclaimed the permits because the lease was held past its
     *     maximum hold time (a later {@link #close()} then returns normally and does nothing);
     *     false while held, after a release, and for engines that reclaim without telling the lease
     */
    default boolean wasReclaimed() {
        return false;
    }

    /** Returns the permits; idempotent, never throws. */
    @Override
    void close();
}
