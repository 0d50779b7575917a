package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

/*
 * Strict sliding window, lock-free, in 1 + (k+1) words (EXACTNESS.md section 1).
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
 * only makes the sum cover more, never less. Steady-state use is >= k/(k+1) of N: a sub-window's
 * permits stop counting at most one sub-window after they leave the true window.
 *
 * Layout (one key's state words, 8-byte aligned, R = k+1 ring slots):
 *
 *   HEAD_OFFSET  RING_OFFSET
 *   0            8            16                          8 + 8R
 *   +------------+------------+------------ ... ----------+
 *   | head       | ring[0]    | ring[1] .. ring[R-1]      |
 *   +------------+------------+------------ ... ----------+
 *
 *   head    = tag(u) << COUNT_BITS | (count(u) + 1)   the current sub-window; 0 = never seen
 *   ring[i] = tag(x) << COUNT_BITS | count(x)         a sealed sub-window x with x mod R == i;
 *                                                      0 or a wrong tag counts as empty
 *
 * Counts are kept in units of 2^UNIT_SHIFT permits. COUNT_BITS = bits needed for
 * layoutPermits + 1 (layoutPermits >= N leaves room for per-key raises), capped at 32; a limit too
 * large for that counts in units of 2^UNIT_SHIFT > 1 permits: p costs ceil(p / unit) units and the
 * window holds floor(N / unit) units, so rounding only ever grants fewer permits (this needs
 * N > 2^27 with the default override room). tag(x) = x mod 2^(64 - COUNT_BITS) >= 2^32.
 *
 * Horizon. Tags are compared by signed difference in the tag bits, so decisions are exact while
 * every caller's "now" lies within horizonNanos() = 2^(62 - COUNT_BITS) sub-windows of the key's
 * latest sub-window (at least 2^30 sub-windows: 34 years of 1 s sub-windows, 12 days of 1 ms
 * ones). Beyond it, a caller far in the past may be read as one in the future and vice versa.
 *
 * Admission at index j: read head (acquire).
 *   - head's sub-window h >= j (the caller is not ahead of the key): count in u = h. Per-key time
 *     is monotonic: a caller whose "now" is older than the key's latest sub-window acts there, so
 *     a stalled thread can never add to a sub-window that a later admission already summed past.
 *   - h < j: a roll to u = j. If h is still inside j-k .. j-1, h's count must be sealed first.
 *   Sum ring slots tagged u-k .. u-1 (plus the unsealed head when rolling). If the sum admits:
 *   seal h (when rolling), then CAS head -> (u, count + p). A successful CAS proves the head did
 *   not move while we summed; a failed one re-reads and starts again.
 *
 * Seal = max-merge into ring[h mod R]: a roller that read head, stalled, and seals after a faster
 * roller must not replace the final count with its stale smaller one; and the seal happens before
 * the head CAS, so an admission at u can never read ring[h] before h is in it. A slot that carries
 * a tag that looks newer than h is left alone while the head has moved on (a later roller owns it);
 * while head still holds h no slot at h mod R other than h's is needed by anyone (R >= k+1), so it
 * is overwritten.
 *
 * Memory ordering. Every word is read with getLongVolatile (acquire) and written only with
 * compareAndSetLong (full fence). seal(h) happens-before CAS head(h -> u) happens-before any read
 * of head == u, so whoever sums for u sees h sealed. A denial writes nothing.
 *
 * Refund (composite decisions): subtract p from the head while it still holds u, else from the
 * sealed slot of u if it is still tagged u. Exact, except that a stale roller may max-merge an
 * older, larger count back over a refunded slot: that keeps permits consumed, never over-admits.
 */
/**
 * The strict sliding-window kernel: in every window of length T, whatever its start, granted &le; N;
 * steady-state use &ge; k/(k+1) of N with k sub-windows. State: 1 + (k+1) words per key, so a slot
 * is 16 + 8(k+2) bytes (112 bytes for the default k = 10: 140 bytes per key of capacity at load 0.8).
 */
public final class SlidingWindowKernel extends Kernel {
    /** Offset of the head word within a key's state. */
    public static final int HEAD_OFFSET = 0;
    /** Offset of ring slot 0 within a key's state. */
    public static final int RING_OFFSET = 8;

    private final long permits;
    private final long layoutPermits;
    private final int unitShift;
    private final long unitPermits;
    private final int k;
    private final int ring;
    private final long width;
    private final int countBits;
    private final long countMask;

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
        this.unitShift = bits - countBits;
        this.unitPermits = permits >> unitShift;
        this.countMask = (1L << countBits) - 1;
    }

    /** The widest count field: tags keep at least 64 - 32 bits. */
    static final int MAX_COUNT_BITS = 32;

    /**
     * @return the most permits one request can ever get: N, or N rounded down to the count unit for
     *     limits above 2^27 (see the class comment)
     */
    @Override
    public long maxPermits() {
        return unitPermits << unitShift;
    }

    /**
     * @return how far (in nanoseconds, saturated) a caller's "now" may lie from the key's latest
     *     sub-window while decisions stay exact
     */
    public long horizonNanos() {
        return TimeMath.multiplySaturated(1L << (62 - countBits), width);
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

    @Override
    public boolean tryAcquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        return run(buffer, offset, permits, now, into, true) != DENIED;
    }

    @Override
    public long acquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        return run(buffer, offset, permits, now, into, true);
    }

    @Override
    public long peek(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        return run(buffer, offset, permits, now, into, false);
    }

    /**
     * The admission rule. With {@code commit} it takes the permits and returns the head word written
     * (never 0) or {@link #DENIED}; without, it writes nothing and returns 0 when the permits would
     * be granted, else the retry-after.
     */
    private long run(AtomicBuffer b, int offset, long permitsAsked, long now, Decision into, boolean commit) {
        final long p = units(permitsAsked);
        final long j = Math.floorDiv(now, width);
        final long jTag = j << countBits;
        for (;;) {
            final long head = b.getLongVolatile(offset + HEAD_OFFSET);
            long u = j;                  // the sub-window this request is counted in
            long current = 0;            // permits already in u
            long rollFrom = 0;           // when rolling: the head's sub-window h, else unused
            long rollCount = -1;         // when rolling with h in u-k .. u-1: h's count, else -1
            if (head != 0) {
                long d = (jTag - (head & ~countMask)) >> countBits;   // j - h, signed in the tag bits
                long headCount = (head & countMask) - 1;
                if (d <= 0) {
                    u = j - d;
                    current = headCount;
                } else if (d <= k) {
                    rollFrom = j - d;
                    rollCount = headCount;
                }
            }
            long sum = current + windowSum(b, offset, u, rollFrom, rollCount);
            long total = sum + p;
            if (total > unitPermits) {
                long retry = retryAfter(b, offset, u, current, rollFrom, rollCount, total - unitPermits, now);
                if (into != null) {
                    into.set(Outcome.LIMITED, limit, 0, Math.max(0, unitPermits - sum) << unitShift, retry,
                            resetAfter(u, now));
                }
                return commit ? DENIED : retry;
            }
            if (!commit) {
                return 0L;
            }
            if (rollCount >= 0) {
                seal(b, offset, head, rollFrom, rollCount);
            }
            long next = (u << countBits) | (current + p + 1);
            if (b.compareAndSetLong(offset + HEAD_OFFSET, head, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, (unitPermits - total) << unitShift, 0L, resetAfter(u, now));
                }
                return next;
            }
        }
    }

    /** @return the permits of sub-windows u-k .. u-1, taking h's count from the head when rolling */
    private long windowSum(AtomicBuffer b, int offset, long u, long rollFrom, long rollCount) {
        long sum = 0;
        int at = Math.floorMod(u, ring);
        for (int i = 1; i <= k; i++) {
            at = at == 0 ? ring - 1 : at - 1;
            long index = u - i;
            long c = slotCount(b, offset, at, index);
            if (rollCount >= 0 && index == rollFrom) {
                c = Math.max(c, rollCount);
            }
            sum += c;
        }
        return sum;
    }

    private long slotCount(AtomicBuffer b, int offset, int at, long index) {
        long s = b.getLongVolatile(offset + RING_OFFSET + 8 * at);
        return (s & ~countMask) == (index << countBits) ? s & countMask : 0;
    }

    /** Max-merges (h, count) into ring[h mod R]; see the class comment. */
    private void seal(AtomicBuffer b, int offset, long head, long h, long count) {
        final int at = offset + RING_OFFSET + 8 * Math.floorMod(h, ring);
        final long tag = h << countBits;
        final long sealed = tag | count;
        for (;;) {
            long s = b.getLongVolatile(at);
            long slotTag = s & ~countMask;
            if (slotTag == tag) {
                if ((s & countMask) >= count) {
                    return;
                }
            } else if (((tag - slotTag) >> countBits) < 0 && b.getLongVolatile(offset + HEAD_OFFSET) != head) {
                return;                  // a later roller already reused the slot; our head CAS will fail
            }
            if (b.compareAndSetLong(at, s, sealed)) {
                return;
            }
        }
    }

    /**
     * @return nanoseconds until enough of the oldest sub-windows have left the window for
     *     {@code excess} more permits to fit: the start of sub-window u+m for the least such m
     */
    private long retryAfter(AtomicBuffer b, int offset, long u, long current, long rollFrom, long rollCount,
                            long excess, long now) {
        long freed = 0;
        int at = Math.floorMod(u - k, ring);
        for (int m = 1; m <= k + 1; m++) {
            long index = u - k + m - 1;  // leaves the window when the key reaches u + m
            long c;
            if (m == k + 1) {
                c = current;
            } else {
                c = slotCount(b, offset, at, index);
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

    @Override
    public void refund(AtomicBuffer b, int offset, long permitsGranted, long token, long now) {
        final long p = units(permitsGranted);
        final long tag = token & ~countMask;
        for (;;) {
            long head = b.getLongVolatile(offset + HEAD_OFFSET);
            long headTag = head & ~countMask;
            if (headTag == tag) {
                if ((head & countMask) - 1 < p) {
                    return;
                }
                if (b.compareAndSetLong(offset + HEAD_OFFSET, head, head - p)) {
                    return;
                }
                continue;
            }
            // the head moved past u: u was sealed before it did (or is too old to matter)
            long h = Math.floorDiv(now, width);
            h -= ((h << countBits) - headTag) >> countBits;                 // head's index, lifted near now
            long u = h - ((headTag - tag) >> countBits);                    // u's index, lifted near head's
            int at = offset + RING_OFFSET + 8 * Math.floorMod(u, ring);
            for (;;) {
                long s = b.getLongVolatile(at);
                if ((s & ~countMask) != tag) {
                    return;
                }
                long c = s & countMask;
                if (b.compareAndSetLong(at, s, s - Math.min(c, p))) {
                    return;
                }
            }
        }
    }

    private long units(long permits) {
        return unitShift == 0 ? permits : ((permits - 1) >> unitShift) + 1;
    }

    @Override
    public Kernel withLimit(Limit override) {
        if (override.permits() > layoutPermits) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override can raise a key to at most "
                    + layoutPermits + " permits (its state layout), not " + override.permits());
        }
        return new SlidingWindowKernel(override, layoutPermits);
    }

    @Override
    public boolean isIdle(AtomicBuffer buffer, int offset, long now) {
        long head = buffer.getLongVolatile(offset + HEAD_OFFSET);
        if (head == 0) {
            return true;
        }
        long j = Math.floorDiv(now, width);
        return (((j << countBits) - (head & ~countMask)) >> countBits) > k;
    }
}
