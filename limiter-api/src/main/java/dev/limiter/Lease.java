package dev.limiter;

/**
 * Permits held from a {@link Algorithm#CONCURRENCY} limit until released.
 *
 * <p>Releasing is idempotent: the first {@link #close()} returns the permits, later calls do
 * nothing. A lease held past its limit's maximum hold time is reclaimed by the limiter; releasing
 * it afterwards does nothing, so a late release can never free a permit twice.
 */
public interface Lease extends AutoCloseable {

    /** @return the limiter the permits came from */
    Limiter limiter();

    /** @return the permits held */
    long permits();

    /** @return false once released or reclaimed */
    boolean isHeld();

    /** Returns the permits; idempotent, never throws. */
    @Override
    void close();
}
