package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * Strict sliding window, lock-free, in 1 + (k+1) words (docs/EXACTNESS.md, sliding window).
 *
 * Idea. Sub-window width w = ceil(T / k), so k*w >= T; the sub-window index of time t is
 * j = floor(t / w). The window (t - T, t] lies inside (t - k*w, t], which meets only the k+1
 * sub-windows j-k .. j. Admit p permits at index u iff
 *
 *     count(u-k) + ... + count(u-1) + count(u) + p <= N.
 *
 * Guarantee: in every window [s, s+T), whatever s, granted <= N. Take the last admission in it, at
 * index u; every other admission in it was linearised before, at an index in u-k .. u (indices are
 * non-decreasing in linearisation order, see "per-key time"), so it was in the sum. Rounding w up
 * only makes the sum cover more, never less. Steady-state use: a permit counts for k+1 sub-windows,
 * (k+1)w of time, so a caller asking steadily gets N per (k+1)w, that is T / ((k+1) * ceil(T/k))
 * of N per T: k/(k+1) when k divides T (in nanoseconds), less when w is rounded up.
 *
 * Layout (one key's state words, 8-byte aligned, R = k+1 ring slots):
 *
 *   HEAD (0)     RING (1)
 *   byte 0       8            16                          8 + 8R
 *   +------------+------------+------------ ... ----------+
 *   | head       | ring[0]    | ring[1] .. ring[R-1]      |
 *   +------------+------------+------------ ... ----------+
 *
 *   head    = tag(u) << COUNT_BITS | (count(u) + 1)   the current sub-window; 0 = never seen
 *   ring[i] = tag(x) << COUNT_BITS | count(x)         a sealed sub-window x with x mod R == i;
 *                                                      0 or a wrong tag counts as empty
 *
 * Counts are kept in units of 2^UNIT_SHIFT permits. COUNT_BITS = bits needed for
 * layoutPermits + 1, capped at 32; the engine sizes layoutPermits = min(16 N, 2^32 - 2) (room for
 * per-key raises), so every N up to 2^32 - 2 counts single permits exactly. Only a larger N counts
 * in units of 2^UNIT_SHIFT > 1 permits: p costs ceil(p / unit) units and the window holds
 * floor(N / unit) units, so rounding only ever grants fewer permits, and maxPermits() is N rounded
 * down to a whole unit. tag(x) = x mod 2^(64 - COUNT_BITS) >= 2^32.
 *
 * Horizon. Tags are compared by difference in the tag bits. A caller fewer than
 * S = 2^(62 - COUNT_BITS) sub-windows behind the head acts at the head's sub-window; any other
 * difference means the head is over, so a key idle for long starts afresh rather than being read
 * as one "in the future". The limiter keeps every caller within S/4 sub-windows of the latest
 * time it has seen (StalenessFloor), so this is exact for any caller staleness. Left: idle gaps
 * within S of a multiple of 2^(64 - COUNT_BITS) sub-windows, where stale ring tags can only add
 * counts - fewer grants, never more.
 *
 * Admission at index j: read head (acquire).
 *   - head's sub-window h >= j (the caller is not ahead of the key): count in u = h. Per-key time
 *     is monotonic: a caller whose "now" is older than the key's latest sub-window acts there, so
 *     a stalled thread can never add to a sub-window that a later admission already summed past.
 *   - h < j: a roll to u = j. If h is still inside j-k .. j-1, h's count must be sealed first.
 *   Sum ring slots tagged u-k .. u-1 (plus the unsealed head when rolling): the pure step next().
 *   If the sum admits, the store seals h (when rolling: sealIndex/sealed), then CASes head ->
 *   (u, count + p). A successful CAS proves the head did not move while we summed; a failed one
 *   re-reads and starts again.
 *
 * Seal = max-merge into ring[h mod R]: a roller that read head, stalled, and seals after a faster
 * roller must not replace the final count with its stale smaller one; and the seal happens before
 * the head CAS, so an admission at u can never read ring[h] before h is in it. The store re-reads
 * the head after reading the slot and gives up the seal (and its step) when the head has moved:
 * a later roller may own the slot by then. While head still holds h no slot at h mod R other than
 * h's is needed by anyone (R >= k+1), so it is overwritten.
 *
 * Memory ordering. Every word is read with acquire and written only with CAS. seal(h) happens-before CAS head(h -> u) happens-before any read
 * of head == u, so whoever sums for u sees h sealed. A denial writes nothing.
 *
 * Refund (composite decisions): subtract p from the head while it still holds u, else from the
 * sealed slot of u if it is still tagged u. Exact, except that a stale roller may max-merge an
 * older, larger count back over a refunded slot: that keeps permits consumed, never over-admits.
 */
/**
 * The strict sliding-window kernel: in every window of length T, whatever its start, granted &le; N;
 * steady-state use &ge; T / ((k+1) ceil(T/k)) of N with k sub-windows (k/(k+1) when k divides T). State: 1 + (k+1) words per key, so a slot
 * is 16 + 8(k+2) bytes (112 bytes for the default k = 10: 140 bytes per key of capacity at load 0.8).
 */
public final class SlidingWindowKernel extends Kernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    /** Index of the head word within a key's state. */
    public static final int HEAD = 0;
    /** Index of ring slot 0 within a key's state. */
    public static final int RING = 1;
    /** The widest count field: tags keep at least 64 - 32 bits. */
    static final int MAX_COUNT_BITS = 32;
    /** The most permits a layout counts one by one: 2^32 - 2 (count + 1 must fit in 32 bits). */
    public static final long MAX_EXACT_PERMITS = (1L << MAX_COUNT_BITS) - 2;

    private final long permits;
    private final long layoutPermits;
    private final int unitShift;
    private final long unitPermits;
    private final int k;
    private final int ring;
    private final long width;
    private final int countBits;
    private final long countMask;
    /** A caller fewer than this many sub-windows behind the head acts in the head's sub-window. */
    private final long staleSubWindows;
    private final long lastSubWindow;

    /** @param limit a sliding-window limit, its state sized for exactly its N */
    public SlidingWindowKernel(Limit limit) {
        this(limit, limit.permits());
    }

    /** A kernel whose count fields are sized for {@code layoutPermits} (&ge; N), for per-key overrides. */
    public SlidingWindowKernel(Limit limit, long layoutPermits) {
        super(limit);
        if (layoutPermits < limit.permits()) {
            throw new IllegalArgumentException("layout for " + layoutPermits + " permits cannot hold " + limit);
        }
        this.permits = limit.permits();
        this.layoutPermits = layoutPermits;
        this.k = limit.subWindows();
        this.ring = k + 1;
        this.width = TimeMath.ceilDiv(limit.periodNanos(), k);
        int bits = 64 - Long.numberOfLeadingZeros(layoutPermits + 1);
        this.countBits = Math.min(MAX_COUNT_BITS, bits);
        this.staleSubWindows = 1L << (64 - this.countBits - 2);
        this.unitShift = bits - countBits;
        this.unitPermits = permits >> unitShift;
        this.countMask = (1L << countBits) - 1;
        this.lastSubWindow = Math.floorDiv(Long.MAX_VALUE, width);
    }

    /**
     * @return the most permits one request can ever get: N, or N rounded down to the count unit for
     *     limits above {@link #MAX_EXACT_PERMITS} (see the class comment)
     */
    @Override
    public long maxPermits() {
        return Math.min(super.maxPermits(), unitPermits << unitShift);
    }

    /**
     * @return how far (in nanoseconds, saturated) a caller's "now" may lie from the key's latest
     *     sub-window while the tags still order them
     */
    @Override
    public long horizonNanos() {
        return TimeMath.multiplySaturated(staleSubWindows, width);
    }

    /** @return w, the sub-window width in nanoseconds (T / k rounded up) */
    public long widthNanos() {
        return width;
    }

    /** @return k, the sub-windows per window */
    public int subWindows() {
        return k;
    }

    @Override
    public int stateWords() {
        return 1 + ring;
    }

    /** The admission rule: see the class comment. */
    @Override
    public long next(StateWords s, int base, long head, long permitsAsked, long now, Decision facts) {
        final long p = units(permitsAsked);
        final long j = Math.floorDiv(now, width);
        long u = j;                  // the sub-window this request is counted in
        long current = 0;            // permits already in u
        long rollFrom = 0;           // when rolling: the head's sub-window h, else unused
        long rollCount = -1;         // when rolling with h in u-k .. u-1: h's count, else -1
        if (head != 0) {
            long d = ((j << countBits) - (head & ~countMask)) >> countBits;   // j - h, signed in the tag bits
            long headCount = (head & countMask) - 1;
            if (d <= 0 && d > -staleSubWindows && Long.compareUnsigned(-d, lastSubWindow - j) <= 0) {
                u = j - d;           // caller at or behind the key: act at the key's time
                current = headCount;
            } else if (d > 0 && d <= k) {
                rollFrom = j - d;
                rollCount = headCount;
            }
        }
        long sum = current + windowSum(s, base, u, rollFrom, rollCount);
        long total = sum + p;
        if (total > unitPermits) {
            if (facts != null) {
                long retry = retryAfter(s, base, u, current, rollFrom, rollCount, total - unitPermits, now);
                DECISIONS.set(facts, Outcome.LIMITED, limit, 0, Math.max(0, unitPermits - sum) << unitShift, retry,
                        resetAfter(u, now));
            }
            return DENIED;
        }
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, (unitPermits - total) << unitShift, 0L, resetAfter(u, now));
        }
        return (u << countBits) | (current + p + 1);
    }

    /** @return the ring slot to seal before the head moves from {@code head} to now's sub-window, or -1 */
    @Override
    public int sealIndex(long head, long now) {
        if (head == 0) {
            return -1;
        }
        long j = Math.floorDiv(now, width);
        long d = ((j << countBits) - (head & ~countMask)) >> countBits;
        return d > 0 && d <= k ? RING + (int) Math.floorMod(j - d, (long) ring) : -1;
    }

    /** Max-merges the head's (h, count) into ring[h mod R]; see the class comment. */
    @Override
    public long sealed(long word, long head, long now) {
        long tag = head & ~countMask;
        long count = (head & countMask) - 1;
        if ((word & ~countMask) == tag && (word & countMask) >= count) {
            return word;
        }
        return tag | count;
    }

    /** @return the permits of sub-windows u-k .. u-1, taking h's count from the head when rolling */
    private long windowSum(StateWords s, int base, long u, long rollFrom, long rollCount) {
        long sum = 0;
        int at = (int) Math.floorMod(u, (long) ring);
        for (int i = 1; i <= k; i++) {
            at = at == 0 ? ring - 1 : at - 1;
            long index = u - i;
            long c = slotCount(s, base, at, index);
            if (rollCount >= 0 && index == rollFrom) {
                c = Math.max(c, rollCount);
            }
            sum += c;
        }
        return sum;
    }

    private long slotCount(StateWords s, int base, int at, long index) {
        long w = s.wordAcquire(base, RING + at);
        return (w & ~countMask) == (index << countBits) ? w & countMask : 0;
    }

    /**
     * @return nanoseconds until enough of the oldest sub-windows have left the window for
     *     {@code excess} more permits to fit: the start of sub-window u+m for the least such m
     */
    private long retryAfter(StateWords s, int base, long u, long current, long rollFrom, long rollCount,
                            long excess, long now) {
        long freed = 0;
        // u - k's slot, stepped from u's as windowSum steps (u - k may wrap below Long.MIN_VALUE,
        // and 2^64 is no multiple of R: the wrapped index's residue is not the slot's)
        int at = (int) Math.floorMod(u, (long) ring) - k;
        at = at < 0 ? at + ring : at;
        for (int m = 1; m <= k + 1; m++) {
            long index = u - k + m - 1;  // leaves the window when the key reaches u + m
            long c;
            if (m == k + 1) {
                c = current;
            } else {
                c = slotCount(s, base, at, index);
                if (rollCount >= 0 && index == rollFrom) {
                    c = Math.max(c, rollCount);
                }
                at = at == ring - 1 ? 0 : at + 1;
            }
            freed += c;
            if (freed >= excess) {
                return untilStartOf(u + m, now);
            }
        }
        return Decision.NEVER;           // more than N: only an override lowering N gets here
    }

    /** @return nanoseconds until every permit counted so far has left the window */
    private long resetAfter(long u, long now) {
        return untilStartOf(u + k + 1, now);
    }

    private long untilStartOf(long index, long now) {
        long start = TimeMath.multiplySaturatedSigned(index, width);
        if (start == Long.MAX_VALUE) {
            return Decision.NEVER;
        }
        return Math.max(1L, TimeMath.clampUnsigned(start - now));
    }

    /**
     * Refund (composite decisions): the head while it still holds the grant's sub-window u, else
     * u's sealed ring slot; see the class comment.
     */
    @Override
    public int refundIndex(StateWords s, int base, long token, long now) {
        long tag = token & ~countMask;
        long headTag = s.wordAcquire(base, HEAD) & ~countMask;
        if (headTag == tag) {
            return HEAD;
        }
        // the head moved past u: u was sealed before it did (or is too old to matter)
        long h = Math.floorDiv(now, width);
        h -= ((h << countBits) - headTag) >> countBits;                 // head's index, lifted near now
        long u = h - ((headTag - tag) >> countBits);                    // u's index, lifted near head's
        return RING + (int) Math.floorMod(u, (long) ring);
    }

    @Override
    public long refunded(int index, long word, long permitsGranted, long token, long now) {
        final long p = units(permitsGranted);
        if ((word & ~countMask) != (token & ~countMask)) {
            return word;
        }
        if (index == HEAD) {
            return (word & countMask) - 1 < p ? word : word - p;
        }
        return word - Math.min(word & countMask, p);
    }

    /**
     * Decayed once the mark's sub-window lies more than k past the head's (within the tag horizon):
     * the head and every ring slot (tags at most the head's) then lie outside any later window. The
     * frozen mark, Long.MIN_VALUE, has head count field 0, which no published head has.
     */
    @Override
    public boolean decayedBy(StateWords s, int base, long head, long mark) {
        if (head == 0) {
            return true;
        }
        long d = ((Math.floorDiv(mark, width) << countBits) - (head & ~countMask)) >> countBits;
        return d > k && d < staleSubWindows;
    }

    @Override
    public long decaysAt(long head, long mark) {
        long j = Math.floorDiv(mark, width);
        long d = ((j << countBits) - (head & ~countMask)) >> countBits;
        return TimeMath.multiplySaturatedSigned(j - d + k + 1, width);   // the head leaves every window
    }

    private long units(long permitsAsked) {
        return unitShift == 0 ? permitsAsked : ((permitsAsked - 1) >> unitShift) + 1;
    }

    @Override
    public Kernel withLimit(Limit override) {
        if (override.permits() > layoutPermits) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override can raise a key to at most "
                    + layoutPermits + " permits (its state layout), not " + override.permits());
        }
        return new SlidingWindowKernel(override, layoutPermits);
    }
}
