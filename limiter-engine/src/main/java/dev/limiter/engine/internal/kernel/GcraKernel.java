package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * Token bucket as the generic cell rate algorithm (GCRA).
 *
 * Idea. A key's whole state is its theoretical arrival time TAT: the instant at which the bucket
 * would be full again. With emission interval I (time per permit) and tolerance tau = burst * I,
 * p permits are admitted at time t iff
 *
 *     TAT' = max(TAT, t) + p*I   satisfies   TAT' - t <= tau,
 *
 * and admitting stores TAT'. Guarantee: in any interval [s, s+d], granted <= burst + d/I.
 * Proof: of the admissions stamped inside the interval, in the order they were linearised, the
 * first leaves TAT >= s + p*I, TAT never decreases, and each further one adds its p*I; the last
 * one leaves TAT <= its t + tau <= s + d + tau. So granted*I <= d + tau. The proof needs no order
 * between time stamps, so a stalled caller with an old "now" cannot break it, and no horizon
 * applies: TAT is full-range time.
 *
 * Exactness. I = ceil(T / N) nanoseconds, at least 1: rounding up grants at most N per T, never
 * more. Every figure is exact, never saturated toward more permits: p*I and tau are unsigned 64-bit
 * values (tau clamps at 2^64 - 1, above any distance two longs can have, so the clamp changes no
 * decision); the backlog TAT - t (TAT >= t) is an exact unsigned difference; an admission needs
 * backlog + p*I <= tau without overflow and a TAT' below Long.MAX_VALUE (the clock's end; the
 * encoded word of TAT = Long.MAX_VALUE, all ones, is the frozen mark of eviction, never published). A request
 * whose p*I exceeds tau can never be admitted, so maxPermits() refuses it as unsatisfiable.
 *
 * State word. encoded = TAT ^ Long.MIN_VALUE, so the all-zero word of a fresh slot decodes to
 * TAT = Long.MIN_VALUE: "full bucket, never seen". An admission leaves TAT' > t >= MIN_VALUE,
 * so a published word is never 0.
 *
 * Refund (composite decisions). The grant moved TAT from TAT0 to max(TAT0, t0) + cost. While the
 * word still holds exactly that value nobody decided against it, and putting back max(TAT0, t0)
 * restores every decision at or after t0. Once another caller has moved the word its share may
 * already have decayed in an idle gap, so the refund is skipped and the permits stay consumed:
 * never more than this request's own, never an over-admission. A composite refunds in reverse
 * commit order, so repeated checks on one key are all restored.
 */
/**
 * The token-bucket kernel (GCRA): in any interval of length t, granted &le; burst + t/I, where
 * I = ceil(period / permits) ns; one 64-bit word per key.
 */
public final class GcraKernel extends Kernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final long interval;
    private final long tau;
    private final long maxPermits;

    /** @param limit a token-bucket limit */
    public GcraKernel(Limit limit) {
        super(limit);
        this.interval = Math.max(1L, TimeMath.ceilDiv(limit.periodNanos(), limit.permits()));
        this.tau = TimeMath.multiplyUnsignedSaturated(limit.burst(), interval);
        this.maxPermits = Math.min(limit.maxPermitsPerRequest(), Long.divideUnsigned(tau, interval));
    }

    /** @return I, the nanoseconds each permit costs */
    public long intervalNanos() {
        return interval;
    }

    /** @return tau = burst * I, an unsigned nanosecond count: how far TAT may run ahead of "now" */
    public long toleranceNanos() {
        return tau;
    }

    /** @return the theoretical arrival time TAT a published state word holds */
    public static long arrivalTime(long word) {
        return word ^ Long.MIN_VALUE;
    }

    @Override
    public long maxPermits() {
        return maxPermits;
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public long next(StateWords state, int base, long head, long permits, long now, Decision facts) {
        long cost = permits * interval;                        // exact unless the high half is set
        long tat = head ^ Long.MIN_VALUE;
        long from = Math.max(tat, now);
        long backlog = from - now;                             // unsigned, exact: from >= now
        long room = ~(from ^ Long.MIN_VALUE);                  // unsigned: Long.MAX_VALUE - from
        boolean fits = Math.multiplyHigh(permits, interval) == 0 && Long.compareUnsigned(cost, room) < 0;
        boolean admits = fits && Long.compareUnsigned(backlog, tau) <= 0
                && Long.compareUnsigned(cost, tau - backlog) <= 0;
        if (!admits) {
            if (facts != null) {
                deny(facts, backlog, cost, fits, room);
            }
            return DENIED;
        }
        long ahead = backlog + cost;                           // <= tau, exact
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, Long.divideUnsigned(tau - ahead, interval), 0L,
                    TimeMath.clampUnsigned(ahead));
        }
        return (from + cost) ^ Long.MIN_VALUE;
    }

    private void deny(Decision facts, long backlog, long cost, boolean fits, long room) {
        long remaining = Long.compareUnsigned(backlog, tau) >= 0 ? 0 : Long.divideUnsigned(tau - backlog, interval);
        remaining = Math.min(remaining, room == 0 ? 0 : Long.divideUnsigned(room - 1, interval)); // the clock's end
        long retry;
        if (!fits || Long.compareUnsigned(cost, ~backlog) > 0) {
            retry = Decision.NEVER;                            // beyond what the clock can represent
        } else {
            retry = TimeMath.clampUnsigned(backlog + cost - tau);   // > 0: TAT' - t <= tau from then on
        }
        DECISIONS.set(facts, Outcome.LIMITED, limit, 0, remaining, retry, TimeMath.clampUnsigned(backlog));
    }

    /** TAT = Long.MAX_VALUE: never published (an admission must leave TAT' below the clock's end). */
    @Override
    public long frozenWord() {
        return -1L;
    }

    /** Decayed once TAT &le; mark: from then on max(TAT, t) = t, as for a key never seen. */
    @Override
    public boolean decayedBy(StateWords state, int base, long head, long mark) {
        return (head ^ Long.MIN_VALUE) <= mark;
    }

    @Override
    public long decaysAt(long head, long mark) {
        return head ^ Long.MIN_VALUE;
    }

    @Override
    public long refunded(int index, long word, long permits, long token, long now) {
        if (word != token) {
            return word;
        }
        return ((token ^ Long.MIN_VALUE) - permits * interval) ^ Long.MIN_VALUE;
    }

    @Override
    public boolean exactRefund() {
        return false;
    }

    @Override
    public Kernel withLimit(Limit override) {
        return new GcraKernel(override);
    }
}
