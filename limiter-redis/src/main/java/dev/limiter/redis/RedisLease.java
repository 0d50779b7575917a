package dev.limiter.redis;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Permits of a concurrency limit held by one request until {@link RedisLimiter#releaseAsync} gives
 * them back, or until the limit's maximum hold time reclaims them; thread-safe, released at most once.
 */
public final class RedisLease {
    private final String limitName;
    private final String key;
    private final long permits;
    private final long generation;
    private final AtomicBoolean released = new AtomicBoolean();

    RedisLease(String limitName, String key, long permits, long generation) {
        this.limitName = limitName;
        this.key = key;
        this.permits = permits;
        this.generation = generation;
    }

    /** @return the concurrency limit that granted the lease */
    public String limitName() {
        return limitName;
    }

    /** @return the key the permits are held for */
    public String key() {
        return key;
    }

    /** @return the permits held */
    public long permits() {
        return permits;
    }

    /** @return the hold-time generation the lease was counted in (floor(now / max hold) when taken) */
    long generation() {
        return generation;
    }

    /** @return true for the first caller only: the one that may send the release */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    /** @return whether a release was sent for this lease */
    public boolean released() {
        return released.get();
    }

    @Override
    public String toString() {
        return "RedisLease[" + limitName + " for " + key + ", " + permits + " permits, generation " + generation
                + (released.get() ? ", released" : "") + "]";
    }
}
