package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * Concurrency: at most N permits held at once by leases; a lease never released is reclaimed
 * lazily after its maximum hold time H.
 *
 * Idea: generations. Time is cut into generations of length H; generation g = floor(t / H). A key
 * keeps the permits held by leases of its two latest generations, one count each. A lease taken in
 * generation g is reclaimed when the key first acts in generation g+2 or later: the roll drops the
 * older count. So a lease is never reclaimed before H (it was taken before the end of g, reclaim
 * starts at (g+2)H) and stops counting at most 2H after it was taken. Reclaim is lazy - it happens
 * at the key's next decision - which is exact for admission: a lease past (g+2)H is simply no
 * longer counted by the next decision.
 *
 * State word, C = bits for layoutPermits (at most MAX_COUNT_BITS = 21), G = 63 - 2C >= 21:
 *
 *    63          2C+1   2C   2C-1        C  C-1          0
 *   +---------------+------+--------------+---------------+
 *   | gen tag (G)   | seen | prev count   | cur count     |
 *   +---------------+------+--------------+---------------+
 *
 *   cur  = permits held by leases of generation gen, prev = of generation gen - 1; seen = 1 in
 *   every word ever written, so that a key with no lease held still remembers its generation.
 *
 * Acquire p at generation g. Tags are compared by signed difference d = g - gen in G bits. With
 * -S < d <= 0 (S = 2^(G-2)) the caller is behind the key and acts in the key's generation
 * (per-key monotonic time); d = 1 rolls by one: (g, cur, 0); anything else - d >= 2, d <= -S (a
 * tag that wrapped while the key was idle), or a key generation beyond the clock's end - rolls
 * everything out: (g, 0, 0). The limiter keeps callers within S/4 generations of the latest time
 * it has seen (StalenessFloor), so d <= -S only ever means an idle key. Then admit iff
 * prev + cur + p <= N and publish (gen, prev, cur + p). The lease's token is its generation.
 *
 * Release of a lease of generation L, p permits: if the key is still in generation L, cur -= p; if
 * in L+1, prev -= p; otherwise the lease was reclaimed by a roll and nothing happens, so a late
 * release can never free a permit that a newer lease holds. A release more than 2^(G-3)
 * generations late never reads the tags, which could alias by then. The Lease object makes
 * release idempotent.
 *
 * On time. The engine does not wait for the roll: each lease it grants has a timer on the engine's
 * ticker at t + H that refunds it (refunded() below, exactly as a release) if it is still held, so
 * a lease stops counting between H and H + 1 tick after it was taken. The roll stays as the
 * fallback when no timer could be scheduled and for composite (tryAcquireAll) leases, which have
 * no timer: for those the 2H bound holds.
 *
 * Guarantee: at every instant, the permits held by leases that are neither released nor past
 * their maximum hold time are at most N. At an acquire the counts are exactly the leases of the
 * two latest generations not yet released, a superset of those held and younger than H; between
 * acquires that set only shrinks. Left: a key idle for within S generations of a multiple of 2^G
 * generations reads its old counts as current - fewer grants, never more.
 *
 * Memory ordering: the store reads the word with acquire and writes it only by CAS; a denial
 * writes nothing. One word: every acquire and release is one linearisable CAS.
 */
/**
 * The concurrency kernel: at every instant, permits held by leases &le; N; a lease not released is
 * reclaimed between H and H + 1 tick after it was taken by the engine's timer (between H and 2H
 * by this kernel alone, the fallback), H = max hold; one 64-bit word per key
 * (24-byte slot, 30 bytes per key of capacity).
 */
public final class ConcurrencyKernel extends Kernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
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
    private final long staleGenerations;
    private final long lastGeneration;

    /** @param limit a concurrency limit, its state sized for exactly its N */
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
        this.staleGenerations = 1L << (64 - tagShift - 2);
        this.lastGeneration = Math.floorDiv(Long.MAX_VALUE, hold);
    }

    @Override
    public long maxPermits() {
        return Math.min(super.maxPermits(), permits);
    }

    /** @return the generation of {@code now}; Long.MIN_VALUE is moved up by one so a token is never 0 */
    private long generation(long now) {
        long g = Math.floorDiv(now, hold);
        return g == Long.MIN_VALUE ? g + 1 : g;
    }

    /** @return the generation a lease token names */
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
    public long horizonNanos() {
        return TimeMath.multiplySaturated(staleGenerations, hold);
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public long next(StateWords state, int base, long head, long p, long now, Decision facts) {
        final long g = generation(now);
        long gen = g;
        long prev = 0;
        long cur = 0;
        if (head != 0) {
            long d = ((g << tagShift) - (head & ~((1L << tagShift) - 1))) >> tagShift;   // g - gen, signed
            if (d <= 0 && d > -staleGenerations && Long.compareUnsigned(-d, lastGeneration - g) <= 0) {
                gen = g - d;
                prev = (head >>> countBits) & countMask;
                cur = head & countMask;
            } else if (d == 1) {
                prev = head & countMask;
            }
        }
        long held = prev + cur;
        if (held + p > permits) {
            if (facts != null) {
                // the older count is dropped at gen + 1, everything at gen + 2 (releases may come sooner)
                long retry = untilGeneration(cur + p <= permits ? gen + 1 : gen + 2, now);
                DECISIONS.set(facts, Outcome.LIMITED, limit, 0, Math.max(0, permits - held), retry,
                        untilGeneration(gen + 2, now));
            }
            return DENIED;
        }
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, permits - held - p, 0L, untilGeneration(gen + 2, now));
        }
        return (gen << tagShift) | seen | (prev << countBits) | (cur + p);
    }

    /** @return the lease token: the full generation the grant was counted in, lifted from {@code next}'s tag */
    @Override
    public long token(long next, long now) {
        long g = generation(now);
        long d = ((g << tagShift) - (next & ~((1L << tagShift) - 1))) >> tagShift;
        return (g - d) ^ Long.MIN_VALUE;
    }

    private long untilGeneration(long gen, long now) {
        long start = TimeMath.multiplySaturatedSigned(gen, hold);
        if (start == Long.MAX_VALUE) {
            return Decision.NEVER;
        }
        return Math.max(1L, TimeMath.clampUnsigned(start - now));
    }

    /** A release far past any reclaim point reads nothing: the tags may alias by then. */
    @Override
    public int refundIndex(StateWords state, int base, long token, long now) {
        long lease = generationOf(token);
        long g = Math.floorDiv(now, hold);
        return g > lease && g - lease >= (1L << (62 - tagShift)) ? -1 : 0;
    }

    /** Releasing is the refund: exact, and a no-op for a lease that was reclaimed. */
    @Override
    public long refunded(int index, long word, long p, long token, long now) {
        if (word == 0) {
            return word;
        }
        long d = ((generationOf(token) << tagShift) - (word & ~((1L << tagShift) - 1))) >> tagShift; // lease - gen
        if (d == 0) {
            return word - Math.min(p, word & countMask);
        }
        if (d == -1) {
            return word - (Math.min(p, (word >>> countBits) & countMask) << countBits);
        }
        return word;                                     // reclaimed by a roll
    }

    /**
     * Decayed when, at the mark's generation g, the key's generation gen is 2 or more behind (every
     * lease rolled out), or at most 1 behind with no permit held (the next decision writes what a
     * fresh key's would); within the tag horizon. The frozen mark, Long.MIN_VALUE, has the seen bit
     * clear, which every published word sets.
     */
    @Override
    public boolean decayedBy(StateWords state, int base, long head, long mark) {
        if (head == 0) {
            return true;
        }
        long d = ((generation(mark) << tagShift) - (head & ~((1L << tagShift) - 1))) >> tagShift;
        return (d >= 2 && d < staleGenerations) || ((d == 0 || d == 1) && held(head) == 0);
    }

    @Override
    public long decaysAt(long head, long mark) {
        long g = generation(mark);
        long d = ((g << tagShift) - (head & ~((1L << tagShift) - 1))) >> tagShift;
        return TimeMath.multiplySaturatedSigned(g - d + 2, hold);         // every lease rolled out
    }

    /** @return permits counted as held (both generations) in a state word, for tests and diagnostics */
    public long held(long word) {
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
}
