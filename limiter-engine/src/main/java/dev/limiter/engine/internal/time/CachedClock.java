package dev.limiter.engine.internal.time;

import dev.limiter.Clock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/*
 * A clock whose reading is published once per tick by the Ticker, so that a hot acquire path pays
 * one acquire load instead of a System.nanoTime() call.
 *
 * Guarantees.
 *   G1 never ahead: every value it returns is a reading of the source clock taken before it was
 *      published, so a reading is never ahead of the source at the moment it is returned;
 *   G2 monotonic: the cached value only moves forward (published by CAS-max), and a reader
 *      returns either a load of it or the value it just installed, so successive readings never
 *      decrease, on one thread or across threads ordered by happens-before;
 *   G3 bounded staleness when sampled: a read that samples the source returns a value at most
 *      staleAfterNanos behind it (if the cached value is older, the reader installs the source's
 *      reading itself). A read samples with probability 1 / sampleEvery (a thread-local random
 *      draw: no shared write on the read path). With sampleEvery = 1 every read is bounded; with
 *      the default 64 a stalled or closed ticker costs a reader on average 64 stale reads before
 *      readers take over publishing, so time never freezes.
 *
 * Memory ordering. CACHED is written only by compareAndSet (full fence) and read with getAcquire:
 * a reader that sees a published value also sees everything the publisher wrote before it. The
 * value itself is a plain long; nothing else is published through it.
 *
 * Fast path (sampleEvery > 1): one acquire load, one thread-local seed update and a mask test.
 */

/** A {@link Clock} that returns the ticker's latest reading, falling back to its source when stale. */
public final class CachedClock implements Clock {
    private static final VarHandle CACHED;

    static {
        try {
            CACHED = MethodHandles.lookup().findVarHandle(CachedClock.class, "cached", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock source;
    private final long staleAfterNanos;
    private final int sampleMask;
    @SuppressWarnings("unused") // accessed through CACHED
    private long cached;

    /**
     * @param source the clock it caches (the same one its ticker reads)
     * @param staleAfterNanos how far behind the source a sampled read may be before the reader
     *     refreshes the value itself (at least 1)
     * @param sampleEvery a read samples the source with probability 1/sampleEvery; a power of two,
     *     1 to sample on every read
     */
    public CachedClock(Clock source, long staleAfterNanos, int sampleEvery) {
        if (staleAfterNanos < 1) {
            throw new IllegalArgumentException("staleAfterNanos must be positive: " + staleAfterNanos);
        }
        if (sampleEvery < 1 || Integer.bitCount(sampleEvery) != 1) {
            throw new IllegalArgumentException("sampleEvery must be a power of two: " + sampleEvery);
        }
        this.source = source;
        this.staleAfterNanos = staleAfterNanos;
        this.sampleMask = sampleEvery - 1;
        CACHED.setRelease(this, source.nanoTime());
    }

    @Override
    public long nanoTime() {
        long c = (long) CACHED.getAcquire(this);
        if ((ThreadLocalRandom.current().nextInt() & sampleMask) != 0) {   // a mask of 0 samples every read
            return c;
        }
        long real = source.nanoTime();
        // stale when real > c and real - c, an exact unsigned difference then, exceeds staleAfter;
        // one branch (see BranchFree), as this path is inlined into every acquire that reads the clock
        long stale = BranchFree.below(c, real) & BranchFree.belowUnsigned(staleAfterNanos, real - c);
        return stale == 0 ? c : publish(real);
    }

    /**
     * Installs {@code readingNanos} if it is ahead of the cached value (CAS-max); the ticker calls
     * this once per duty cycle with a fresh reading of the source.
     *
     * @return the cached value afterwards (the larger of the two)
     */
    public long publish(long readingNanos) {
        while (true) {
            long c = (long) CACHED.getAcquire(this);
            if (readingNanos <= c) {
                return c;
            }
            if (CACHED.compareAndSet(this, c, readingNanos)) {
                return readingNanos;
            }
        }
    }

    /** @return the cached value without sampling the source (for observability and tests) */
    public long cachedNanos() {
        return (long) CACHED.getAcquire(this);
    }

    /** @return the staleness bound of a sampled read */
    public long staleAfterNanos() {
        return staleAfterNanos;
    }

    /** @return the clock it caches */
    public Clock source() {
        return source;
    }

    @Override
    public String toString() {
        return "CachedClock[" + cachedNanos() + "ns, stale after " + staleAfterNanos + "ns, sample 1/" + (sampleMask + 1) + "]";
    }
}
