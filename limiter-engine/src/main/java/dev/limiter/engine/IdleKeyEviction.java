package dev.limiter.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Idle-key eviction across one engine's limiters: counters (for metrics) and an explicit sweep.
 *
 * <p>A key whose state has decayed to "as if never seen" leaves its limiter's table, and eviction
 * never changes a decision: before keys are evicted the limiter raises its eviction mark W to a
 * reading of its clock, and every decision acts at {@code max(now, W)}, so an evicted key decides
 * exactly as the kept one would. Keys are evicted by table rotations, which start when a table's
 * fresh claims reach 1.5 C (C the limiter's capacity), when a new key finds the table full (2 C),
 * from the engine's periodic sweep, or from {@link #evictNow()}. So a key that decayed leaves the
 * table by the first rotation after it decayed, and at most 0.5 C fresh keys are claimed between two
 * rotations. Quota and cardinality limits never evict (their counts never decay), nor does a limiter
 * with per-key overrides (overrides pin keys to their slots). Thread-safe.
 */
public final class IdleKeyEviction {
    /**
     * Chunks of 256 slots of a retired table one periodic sweep (every tick) may process: bounded
     * work per run, short enough not to hold up the ticker's timers (1,024 slots a tick, the rate of
     * 64 chunks every 16 ticks in slices 16 times shorter).
     */
    static final int SWEEP_CHUNKS = 4;

    private final List<OffHeapLimiter> limiters;

    IdleKeyEviction(Collection<OffHeapLimiter> limiters) {
        this.limiters = new ArrayList<>(limiters);
    }

    /** The periodic sweep, on the engine's ticker thread (or runTimers' caller); bounded work. */
    int sweep() {
        int work = 0;
        for (OffHeapLimiter l : limiters) {
            KeySpace s = l.keysOrNull();
            work += s == null ? 0 : s.sweep(SWEEP_CHUNKS);
        }
        return work;
    }

    /**
     * Evicts now, in every limiter that evicts, every key whose state has decayed by the limiter's
     * clock reading: one complete table rotation each, on the calling thread.
     *
     * @return keys evicted by this call
     * @throws IllegalStateException when the engine is closed
     */
    public long evictNow() {
        long n = 0;
        for (OffHeapLimiter l : limiters) {
            n += l.open().rotateNow();
        }
        return n;
    }

    /** @return keys evicted so far by every limiter of the engine */
    public long evictions() {
        long n = 0;
        for (OffHeapLimiter l : limiters) {
            n += l.open().evictions();
        }
        return n;
    }

    /**
     * @return keys evicted so far by the limiter of {@code limitName}
     * @throws IllegalArgumentException when the engine has no such limit
     */
    public long evictions(String limitName) {
        return find(limitName).open().evictions();
    }

    /** @return table rotations started so far by every limiter of the engine */
    public long rotations() {
        long n = 0;
        for (OffHeapLimiter l : limiters) {
            n += l.open().rotations();
        }
        return n;
    }

    /**
     * @return keys held now by every limiter: live keys and decayed ones not yet evicted (the sum of
     *     each limiter's {@code keyCount()})
     */
    public long liveKeys() {
        long n = 0;
        for (OffHeapLimiter l : limiters) {
            n += l.keyCount();
        }
        return n;
    }

    /** @return keys held now by the limiter of {@code limitName} */
    public long liveKeys(String limitName) {
        return find(limitName).keyCount();
    }

    private OffHeapLimiter find(String limitName) {
        for (OffHeapLimiter l : limiters) {
            if (l.limit().name().equals(limitName)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no limit named '" + limitName + "'");
    }
}
