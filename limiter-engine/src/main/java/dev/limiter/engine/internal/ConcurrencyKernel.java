package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

/*
 * Concurrency: at most N permits held at once by leases; a lease never released is reclaimed
 * lazily after its maximum hold time H.
 *
 * Idea: generations. Time is cut into generations of length H; generation g = floor(t / H). A key
 * keeps the permits held by leases of its two latest generations, one count each. A lease taken in
 * generation g is reclaimed when the key first acts in generation g+2 or later: the roll drops the
 * older count. So a lease is never reclaimed before H (it was taken before the end of g, reclaim
 * starts at (g+2)H) and becomes reclaimable at most 2H after it was taken. Reclaim is lazy - it
 * happens at the key's next acquire - which is exact for admission: a lease past (g+2)H is simply
 * no longer counted by the next decision. (The timing wheel will make the release timely.)
 *
 * State word, C = bits for layoutPermits (at most MAX_COUNT_BITS = 21), G = 63 - 2C >= 21:
 *
 *    63          2C+1   2C   2C-1        C  C-1          0
 *   +---------------+------+--------------+---------------+
 *   | gen tag (G)   | seen | prev count   | cur count     |
 *   +---------------+------+--------------+---------------+
 *
 *   cur  = permits held by leases of generation gen, prev = of generation gen - 1; seen = 1 in
 *   every word ever written, so that a key with no lease held still remembers its generation
 *   (all zero = never seen; without the bit, generation 0 with nothing held would read as "never
 *   seen" and a caller with an older "now" could put its lease in an older generation, where the
 *   next roll would drop it too early).
 *
 * Acquire p at generation g (per-key monotonic: a caller behind the key acts in the key's
 * generation): roll (gen, prev, cur) forward to g - by one: (g, cur, 0), by two or more:
 * (g, 0, 0) - then admit iff prev + cur + p <= N and CAS (g, prev, cur + p). The lease's identity
 * is the generation it was counted in.
 *
 * Release of a lease of generation L, p permits: if the key is still in generation L, cur -= p; if
 * in L+1, prev -= p; otherwise the lease was reclaimed by a roll and nothing happens, so a late
 * release can never free a permit that a newer lease holds. A lease still counted is released
 * even past (L+2)H (the roll is lazy; a caller with an older "now" may still count it). A release
 * more than 2^(G-3) generations late never reads the tags, which could alias by then. The Lease
 * object makes release idempotent.
 *
 * Guarantee: at every instant, the permits held by leases that are neither released nor past
 * their maximum hold time are at most N. At an acquire the counts are exactly the leases of the
 * two latest generations not yet released, a superset of those held and younger than H; between
 * acquires that set only shrinks.
 *
 * Generation tags are compared by signed difference in G bits: exact while callers lie within
 * 2^(G-2) generations of the key (and a release older than 2 generations is ignored by time first).
 *
 * Memory ordering: read with getLongVolatile, written only by compareAndSetLong; a denial writes
 * nothing. One word: every acquire and release is one linearisable CAS.
 */
/**
 * The concurrency kernel: at every instant, permits held by leases &le; N, each lease reclaimed
 * between H and 2H after it was taken unless released (H = max hold); one 64-bit word per key
 * (24-byte slot, 30 bytes per key of capacity).
 */
public final class ConcurrencyKernel extends Kernel {
    /** The widest count field; N (with override room) must fit: at most 2,097,151 permits in flight. */
    public static final int MAX_COUNT_BITS = 21;
    /** The most permits a concurrency limit can hold in flight. */
    public static final long MAX_IN_FLIGHT = (1L << MAX_COUNT_BITS) - 1;

    private final long permits;
    private final long layoutPermits;
    private final long hold;
    private final int countBits;
    private final long countMask;
    private final int tagShift;
    private final long seen;

    public ConcurrencyKernel(Limit limit) {
        this(limit, limit.permits());
    }

    /** A kernel whose counts are sized for {@code layoutPermits} (&ge; N), for per-key overrides. */
    public ConcurrencyKernel(Limit limit, long layoutPermits) {
        super(limit);
        if (limit.permits() > MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': a concurrency limit holds at most "
                    + MAX_IN_FLIGHT + " permits in flight, not " + limit.permits());
        }
        this.permits = limit.permits();
        this.layoutPermits = Math.max(permits, Math.min(MAX_IN_FLIGHT, layoutPermits));
        this.hold = Math.max(1L, limit.maxHoldNanos());
        this.countBits = 64 - Long.numberOfLeadingZeros(this.layoutPermits);
        this.countMask = (1L << countBits) - 1;
        this.seen = 1L << (2 * countBits);
        this.tagShift = 2 * countBits + 1;
    }

    /** @return the generation of {@code now}; Long.MIN_VALUE is moved up by one so a token is never 0 */
    private long generation(long now) {
        long g = Math.floorDiv(now, hold);
        return g == Long.MIN_VALUE ? g + 1 : g;
    }

    /** @return the lease token of generation {@code g}: never 0 */
    private static long token(long g) {
        return g ^ Long.MIN_VALUE;
    }

    /** @return the generation a token of {@link #acquire} names */
    public static long generationOf(long token) {
        return token ^ Long.MIN_VALUE;
    }

    /** @return whether a lease of {@code token} is past its reclaim point at {@code now} */
    public boolean isReclaimed(long token, long now) {
        long g = Math.floorDiv(now, hold);
        long lease = generationOf(token);
        return g - lease >= 2 && g > lease;           // the second test guards overflow near the clock's ends
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public boolean tryAcquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        return acquire(buffer, offset, p, now, into) != DENIED;
    }

    @Override
    public long acquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        return run(buffer, offset, p, now, into, true);
    }

    @Override
    public long peek(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        return run(buffer, offset, p, now, into, false);
    }

    private long run(AtomicBuffer buffer, int offset, long p, long now, Decision into, boolean commit) {
        final long g = generation(now);
        final long gTag = g << tagShift;
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long gen = g;
            long prev = 0;
            long cur = 0;
            if (word != 0) {
                long d = (gTag - (word & ~((1L << tagShift) - 1))) >> tagShift;   // g - gen, signed
                if (d <= 0) {
                    gen = g - d;
                    prev = (word >>> countBits) & countMask;
                    cur = word & countMask;
                } else if (d == 1) {
                    prev = word & countMask;
                }
            }
            long held = prev + cur;
            if (held + p > permits) {
                // the older count is dropped at gen + 1, everything at gen + 2 (releases may come sooner)
                long retry = untilGeneration(cur + p <= permits ? gen + 1 : gen + 2, now);
                if (into != null) {
                    into.set(Outcome.LIMITED, limit, 0, Math.max(0, permits - held), retry,
                            untilGeneration(gen + 2, now));
                }
                return commit ? DENIED : retry;
            }
            if (!commit) {
                return 0L;
            }
            long next = (gen << tagShift) | seen | (prev << countBits) | (cur + p);
            if (buffer.compareAndSetLong(offset, word, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, permits - held - p, 0L, untilGeneration(gen + 2, now));
                }
                return token(gen);
            }
        }
    }

    private long untilGeneration(long gen, long now) {
        long start = TimeMath.multiplySaturatedSigned(gen, hold);
        if (start == Long.MAX_VALUE) {
            return Decision.NEVER;
        }
        return Math.max(1L, TimeMath.clampUnsigned(start - now));
    }

    /** Releasing is the refund: exact, and a no-op for a lease that was reclaimed. */
    @Override
    public void refund(AtomicBuffer buffer, int offset, long p, long token, long now) {
        release(buffer, offset, p, token, now);
    }

    /** Returns a lease's permits unless it was reclaimed; the caller makes sure this runs once per lease. */
    public void release(AtomicBuffer buffer, int offset, long p, long token, long now) {
        final long lease = generationOf(token);
        final long g = Math.floorDiv(now, hold);
        if (g > lease && g - lease >= (1L << (62 - tagShift))) {
            return;                                      // far past any reclaim, beyond the tag horizon
        }
        final long leaseTag = lease << tagShift;
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            if (word == 0) {
                return;
            }
            long d = (leaseTag - (word & ~((1L << tagShift) - 1))) >> tagShift;  // lease - gen
            long next;
            if (d == 0) {
                next = word - Math.min(p, word & countMask);
            } else if (d == -1) {
                next = word - (Math.min(p, (word >>> countBits) & countMask) << countBits);
            } else {
                return;                                  // reclaimed by a roll
            }
            if (next == word || buffer.compareAndSetLong(offset, word, next)) {
                return;
            }
        }
    }

    /** @return permits currently counted as held (both generations), for tests and diagnostics */
    public long held(AtomicBuffer buffer, int offset) {
        long word = buffer.getLongVolatile(offset);
        return ((word >>> countBits) & countMask) + (word & countMask);
    }

    @Override
    public Kernel withLimit(Limit override) {
        if (override.permits() > layoutPermits) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override can raise a key to at most "
                    + layoutPermits + " permits in flight (its state layout), not " + override.permits());
        }
        return new ConcurrencyKernel(override, layoutPermits);
    }

    @Override
    public boolean isIdle(AtomicBuffer buffer, int offset, long now) {
        long word = buffer.getLongVolatile(offset);
        if (word == 0 || held(buffer, offset) == 0) {
            return true;
        }
        long d = ((generation(now) << tagShift) - (word & ~((1L << tagShift) - 1))) >> tagShift;
        return d >= 2;
    }
}
