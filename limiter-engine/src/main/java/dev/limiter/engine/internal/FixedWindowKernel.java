package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

/*
 * Fixed window: windows are [k*T, (k+1)*T) on the clock's own axis; each holds at most N.
 *
 * State word, split per limit so that the count always fits:
 *
 *    63                      countBits  countBits-1          0
 *   +--------------------------------+------------------------+
 *   |  tag = window index mod 2^tagBits |  count + 1 (1..N+1)  |
 *   +--------------------------------+------------------------+
 *
 * countBits = bits needed for N+1 (at most 41, since N <= 2^40), tagBits = 64 - countBits >= 23.
 * Storing count+1 keeps the all-zero word free to mean "never seen".
 *
 * Per-key monotonic time. Tags are compared as signed differences modulo 2^tagBits. A caller whose
 * window is older than the stored one is counted in the stored (newer) window: admissions on one
 * key are linearised in non-decreasing windows, so a stalled caller can never add to a window
 * that is already closed. A key idle for 2^(tagBits-1) windows or more looks "newer" or "older"
 * arbitrarily; either way it is counted against some window, which can only deny more. With
 * N <= 2^31 that horizon is at least 2^32 windows (136 years of one-second windows).
 *
 * Memory ordering: read with getLongVolatile, publish with compareAndSetLong; a denial writes
 * nothing. One word, so every decision is a single linearisable CAS.
 */
/**
 * The fixed-window kernel: in each aligned window [kT, (k+1)T), granted &le; N (up to 2N across a
 * boundary); one 64-bit word per key.
 */
public final class FixedWindowKernel extends Kernel {
    private final long period;
    private final long permits;
    private final int countBits;
    private final long countMask;
    private final int tagShift;

    private final long layoutPermits;

    public FixedWindowKernel(Limit limit) {
        this(limit, limit.permits());
    }

    /**
     * A kernel whose count field is sized for {@code layoutPermits} (&ge; N), so that per-key
     * overrides up to that many permits share the layout (see {@link #withLimit}). Every extra count
     * bit halves the tag horizon described above.
     */
    public FixedWindowKernel(Limit limit, long layoutPermits) {
        super(limit);
        if (layoutPermits < limit.permits()) {
            throw new IllegalArgumentException("layout for " + layoutPermits + " permits cannot hold " + limit);
        }
        this.period = limit.periodNanos();
        this.permits = limit.permits();
        this.layoutPermits = layoutPermits;
        this.countBits = 64 - Long.numberOfLeadingZeros(layoutPermits + 1);
        this.countMask = (1L << countBits) - 1;
        this.tagShift = countBits;
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public boolean tryAcquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        long index = Math.floorDiv(now, period);
        long tag = index << tagShift;                       // tag bits only; count bits zero
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long windowIndex = index;
            long count = 0;
            long windowTag = tag;
            if (word != 0) {
                long diff = ((tag - (word & ~countMask)) >> tagShift); // signed tag difference
                if (diff <= 0) {                            // same window, or caller is behind the key
                    windowIndex = index - diff;
                    windowTag = word & ~countMask;
                    count = (word & countMask) - 1;
                }
            }
            long newCount = count + p;
            if (newCount > permits) {
                if (into != null) {
                    long reset = resetAfter(windowIndex, now);
                    into.set(Outcome.LIMITED, limit, 0, permits - count, reset, reset);
                }
                return false;
            }
            long next = windowTag | (newCount + 1);
            if (buffer.compareAndSetLong(offset, word, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, permits - newCount, 0L, resetAfter(windowIndex, now));
                }
                return true;
            }
        }
    }

    @Override
    public long peek(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        long index = Math.floorDiv(now, period);
        long tag = index << tagShift;
        long word = buffer.getLongVolatile(offset);
        long windowIndex = index;
        long count = 0;
        if (word != 0) {
            long diff = ((tag - (word & ~countMask)) >> tagShift);
            if (diff <= 0) {
                windowIndex = index - diff;
                count = (word & countMask) - 1;
            }
        }
        if (count + p <= permits) {
            return 0L;
        }
        long reset = resetAfter(windowIndex, now);
        if (into != null) {
            into.set(Outcome.LIMITED, limit, 0, Math.max(0, permits - count), reset, reset);
        }
        return Math.max(1L, reset);
    }

    /** As {@link #tryAcquire}; the token is the state word written (never 0). */
    @Override
    public long acquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        long index = Math.floorDiv(now, period);
        long tag = index << tagShift;
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long windowIndex = index;
            long count = 0;
            long windowTag = tag;
            if (word != 0) {
                long diff = ((tag - (word & ~countMask)) >> tagShift);
                if (diff <= 0) {
                    windowIndex = index - diff;
                    windowTag = word & ~countMask;
                    count = (word & countMask) - 1;
                }
            }
            long newCount = count + p;
            if (newCount > permits) {
                if (into != null) {
                    long reset = resetAfter(windowIndex, now);
                    into.set(Outcome.LIMITED, limit, 0, Math.max(0, permits - count), reset, reset);
                }
                return DENIED;
            }
            long next = windowTag | (newCount + 1);
            if (buffer.compareAndSetLong(offset, word, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, permits - newCount, 0L, resetAfter(windowIndex, now));
                }
                return next;
            }
        }
    }

    /**
     * Exact: subtracts the permits from the window they were added to while that window is still the
     * key's current one; once the key has moved to a later window the grant no longer affects any
     * decision and nothing needs undoing.
     */
    @Override
    public void refund(AtomicBuffer buffer, int offset, long p, long token, long now) {
        long windowTag = token & ~countMask;
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            if ((word & ~countMask) != windowTag || (word & countMask) - 1 < p) {
                return;
            }
            if (buffer.compareAndSetLong(offset, word, word - p)) {
                return;
            }
        }
    }

    @Override
    public Kernel withLimit(Limit override) {
        if (override.permits() > layoutPermits) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override can raise a key to at most "
                    + layoutPermits + " permits (its state layout), not " + override.permits());
        }
        return new FixedWindowKernel(override, layoutPermits);
    }

    private long resetAfter(long windowIndex, long now) {
        long end = TimeMath.addSaturated(TimeMath.multiplySaturatedSigned(windowIndex, period), period);
        if (end == Long.MAX_VALUE) {
            return Decision.NEVER;                          // the window outlasts the clock's range
        }
        return TimeMath.clampUnsigned(end - now);
    }

    @Override
    public boolean isIdle(AtomicBuffer buffer, int offset, long now) {
        long word = buffer.getLongVolatile(offset);
        if (word == 0) {
            return true;
        }
        long tag = Math.floorDiv(now, period) << tagShift;
        return ((tag - (word & ~countMask)) >> tagShift) > 0;
    }
}
