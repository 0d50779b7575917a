package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

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
 * between time stamps, so a stalled caller with an old "now" cannot break it.
 *
 * Exactness. I = ceil(T / N) nanoseconds, at least 1: rounding up grants at most N per T, never
 * more (a limit faster than one permit per nanosecond is held to one per nanosecond). tau and
 * p*I saturate at Long.MAX_VALUE. TAT' - t is compared as an unsigned difference, which is exact
 * for any t <= TAT' on the full long range; an admission whose TAT' would overflow is refused.
 *
 * State word. encoded = TAT ^ Long.MIN_VALUE, so the all-zero word of a fresh slot decodes to
 * TAT = Long.MIN_VALUE: "full bucket, never seen". A real TAT is always > some t >= MIN_VALUE.
 *
 * Memory ordering. The word is read with getLongVolatile (acquire) and replaced with
 * compareAndSetLong (a full fence); a failed CAS re-reads and recomputes. A denial writes nothing.
 */
/**
 * The token-bucket kernel (GCRA): in any interval of length t, granted &le; burst + t/I, where
 * I = ceil(period / permits) ns; one 64-bit word per key.
 */
public final class GcraKernel extends Kernel {
    private final long interval;
    private final long tau;

    public GcraKernel(Limit limit) {
        super(limit);
        this.interval = Math.max(1L, TimeMath.ceilDiv(limit.periodNanos(), limit.permits()));
        this.tau = TimeMath.multiplySaturated(limit.burst(), interval);
    }

    /** @return I, the nanoseconds each permit costs */
    public long intervalNanos() {
        return interval;
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public boolean tryAcquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        return acquire(buffer, offset, permits, now, into) != DENIED;
    }

    private void deny(Decision into, long base, long now, long cost) {
        long newTat = base + cost;
        long ahead = newTat - now;                           // unsigned when newTat did not overflow
        long retry = newTat < base || ahead < 0
                ? Decision.NEVER                             // beyond what the clock can represent
                : ahead - tau;                               // > 0: the request fits once TAT' - t <= tau
        long backlog = TimeMath.clampUnsigned(base - now);
        long remaining = backlog >= tau ? 0 : (tau - backlog) / interval;
        into.set(Outcome.LIMITED, limit, 0, remaining, retry, backlog);
    }

    @Override
    public long peek(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        long cost = TimeMath.multiplySaturated(permits, interval);
        long tat = buffer.getLongVolatile(offset) ^ Long.MIN_VALUE;
        long base = Math.max(tat, now);
        long newTat = base + cost;
        long ahead = newTat - now;
        if (newTat >= base && Long.compareUnsigned(ahead, tau) <= 0) {
            return 0L;
        }
        long retry = newTat < base || ahead < 0 ? Decision.NEVER : ahead - tau;
        if (into != null) {
            deny(into, base, now, cost);
        }
        return retry;
    }

    /**
     * As {@link #tryAcquire}; the token is the state word written. A GCRA refund is exact only while
     * that word is still in place, so {@link #exactRefund()} is false.
     */
    @Override
    public long acquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into) {
        long cost = TimeMath.multiplySaturated(permits, interval);
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long tat = word ^ Long.MIN_VALUE;
            long base = Math.max(tat, now);
            long newTat = base + cost;
            long ahead = newTat - now;
            if (newTat < base || Long.compareUnsigned(ahead, tau) > 0) {
                if (into != null) {
                    deny(into, base, now, cost);
                }
                return DENIED;
            }
            long next = newTat ^ Long.MIN_VALUE;             // never 0: newTat > now >= MIN_VALUE
            if (buffer.compareAndSetLong(offset, word, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, (tau - ahead) / interval, 0L, ahead);
                }
                return next;
            }
        }
    }

    /*
     * Refund (EXACTNESS.md section 2). The grant moved TAT from TAT0 to max(TAT0, t0) + cost. While
     * the word still holds exactly that value nobody decided against it, and putting back
     * max(TAT0, t0) restores every decision at or after t0 (and is more conservative before t0). Once
     * another caller has moved the word, its share may already have decayed in an idle gap, so a
     * subtraction could hand back permits that caller consumed: the refund is then skipped and the
     * permits stay consumed - never more than this request's own, and never an over-admission.
     */
    @Override
    public void refund(AtomicBuffer buffer, int offset, long permits, long token, long now) {
        long cost = TimeMath.multiplySaturated(permits, interval);
        long tat = token ^ Long.MIN_VALUE;
        buffer.compareAndSetLong(offset, token, (tat - cost) ^ Long.MIN_VALUE);
    }

    @Override
    public boolean exactRefund() {
        return false;
    }

    @Override
    public Kernel withLimit(Limit override) {
        return new GcraKernel(override);
    }

    @Override
    public boolean isIdle(AtomicBuffer buffer, int offset, long now) {
        long tat = buffer.getLongVolatile(offset) ^ Long.MIN_VALUE;
        return tat <= now;
    }
}
