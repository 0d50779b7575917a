package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

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
 * countBits = bits needed for layoutPermits + 1 (at most 41, since N <= 2^40), tagBits =
 * 64 - countBits >= 23. Storing count+1 keeps the all-zero word free to mean "never seen".
 *
 * Per-key monotonic time. Tags are compared as signed differences d = caller - key in tagBits
 * bits. A caller with -S < d <= 0 (S = 2^(tagBits-2) windows) is behind the key and is counted in
 * the key's (newer) window: admissions on one key are linearised in non-decreasing windows, so a
 * stalled caller can never add to a window that is already closed. Any other difference means the
 * stored window is over (d > 0: the caller is ahead; d <= -S: the key has been idle so long that
 * its tag wrapped, or the key's window would lie beyond the clock's end). The limiter keeps every
 * caller within S/4 windows of the latest time it has seen (StalenessFloor), and a key's time is
 * at most S/4 windows past that, so d <= -S can only mean an idle key: the rule is exact for any
 * caller staleness. Left: a key idle for within S windows of a multiple of 2^tagBits windows is
 * read as current, so one window may be counted twice - fewer grants, never more.
 *
 * Memory ordering: the store reads the word with acquire and publishes with CAS; a denial writes
 * nothing. One word, so every decision is a single linearisable CAS.
 */
/**
 * The fixed-window kernel: in each aligned window [kT, (k+1)T), granted &le; N (up to 2N across a
 * boundary); one 64-bit word per key.
 */
public final class FixedWindowKernel extends Kernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final long period;
    private final long permits;
    private final long countMask;
    private final int tagShift;
    private final long staleWindows;
    private final long lastWindow;
    private final long layoutPermits;

    /** @param limit a fixed-window limit, its state sized for exactly its N */
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
        int countBits = 64 - Long.numberOfLeadingZeros(layoutPermits + 1);
        this.countMask = (1L << countBits) - 1;
        this.tagShift = countBits;
        this.staleWindows = 1L << (64 - countBits - 2);
        this.lastWindow = Math.floorDiv(Long.MAX_VALUE, period);
    }

    /** @return S: how many windows a caller may lag behind a key and still be counted in the key's window */
    public long staleWindows() {
        return staleWindows;
    }

    @Override
    public long horizonNanos() {
        return TimeMath.multiplySaturated(staleWindows, period);
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public long next(StateWords state, int base, long head, long p, long now, Decision facts) {
        long index = Math.floorDiv(now, period);
        long windowIndex = index;
        long windowTag = index << tagShift;
        long count = 0;
        if (head != 0) {
            long diff = (windowTag - (head & ~countMask)) >> tagShift;        // caller - key, signed
            if (diff <= 0 && diff > -staleWindows
                    && Long.compareUnsigned(-diff, lastWindow - index) <= 0) {  // the key's window exists
                windowIndex = index - diff;
                windowTag = head & ~countMask;
                count = (head & countMask) - 1;
            }
        }
        long newCount = count + p;
        if (newCount > permits) {
            if (facts != null) {
                long reset = resetAfter(windowIndex, now);
                DECISIONS.set(facts, Outcome.LIMITED, limit, 0, Math.max(0, permits - count), Math.max(1L, reset), reset);
            }
            return DENIED;
        }
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, permits - newCount, 0L, resetAfter(windowIndex, now));
        }
        return windowTag | (newCount + 1);
    }

    /**
     * Decayed once the mark lies in a later window than the key's (and within the tag horizon): every
     * caller at or after the mark is ahead of the key and starts a fresh window. The frozen mark,
     * Long.MIN_VALUE, has count field 0, which no published word has (count + 1 &gt;= 1).
     */
    @Override
    public boolean decayedBy(StateWords state, int base, long head, long mark) {
        if (head == 0) {
            return true;
        }
        long d = (((Math.floorDiv(mark, period)) << tagShift) - (head & ~countMask)) >> tagShift;
        return d > 0 && d < staleWindows;
    }

    @Override
    public long decaysAt(long head, long mark) {
        long index = Math.floorDiv(mark, period);
        long d = ((index << tagShift) - (head & ~countMask)) >> tagShift;
        return TimeMath.multiplySaturatedSigned(index - d + 1, period);   // the end of the key's window
    }

    /**
     * Exact: subtracts the permits from the window they were added to while that window is still the
     * key's current one; once the key has moved to a later window the grant no longer affects any
     * decision and nothing needs undoing.
     */
    @Override
    public long refunded(int index, long word, long p, long token, long now) {
        if ((word & ~countMask) != (token & ~countMask) || (word & countMask) - 1 < p) {
            return word;
        }
        return word - p;
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
}
