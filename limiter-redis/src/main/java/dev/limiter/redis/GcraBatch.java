package dev.limiter.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A leased batch of a token bucket (GCRA): Redis advanced the key's TAT by g * I, reserving the
 * stretch [first, end) of its time axis (end = the new TAT, first = end - g * I).
 *
 * Why it cannot over-admit. Think of every grant as occupying p * I of the time axis, its slot. Redis
 * gives every grant (direct or reserved) a slot that starts at or after the grant's time and ends
 * no later than that time + tau, and no two slots overlap. Then in any interval [a, b] the grants
 * have disjoint slots inside [a, b + tau], so granted * I <= b - a + tau: granted <= burst + (b - a)/I,
 * the algorithm's guarantee. A local grant at s keeps both properties by taking its slot from the
 * reserved stretch at a cursor: slot start = max(cursor, s + hi) (at or after Redis's latest
 * possible time), slot end = start + p * I <= min(end, s + lo + tau). Slots skipped because time
 * passed them are lost: an idle batch decays at the algorithm's own rate, 1/I.
 *
 * Memory ordering: `cursor` is read and changed only by volatile CAS; a grant is the CAS that moves
 * the cursor past its slot.
 */
/** A stretch of a token bucket's time axis reserved in Redis, granted locally slot by slot; thread-safe, lock-free. */
final class GcraBatch extends PermitBatch {
    private static final VarHandle CURSOR;

    static {
        try {
            CURSOR = MethodHandles.lookup().findVarHandle(GcraBatch.class, "cursor", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long end;
    private final long interval;
    private final long tau;
    @SuppressWarnings("unused") // changed through CURSOR only
    private volatile long cursor;

    /** The stretch [first, end) of Redis's time axis; interval I and tau = burst * I below 2^62. */
    GcraBatch(long first, long end, long interval, long tau, long lo, long hi) {
        super(lo, hi);
        this.end = end;
        this.interval = interval;
        this.tau = tau;
        this.cursor = first;
    }

    @Override
    long tryTake(long s, long permits) {
        if (permits > tau / interval) {
            return NOT_GRANTED;
        }
        long cost = permits * interval;
        long latest = Math.min(end, plus(plus(s, lo), tau));
        while (true) {
            long c = (long) CURSOR.getVolatile(this);
            long from = Math.max(c, plus(s, hi));
            long to = plus(from, cost);
            if (to > latest) {
                return NOT_GRANTED;
            }
            if (CURSOR.compareAndSet(this, c, to)) {
                return (end - to) / interval;
            }
        }
    }

    @Override
    boolean expired(long s) {
        return end - Math.max((long) CURSOR.getVolatile(this), plus(s, hi)) < interval;
    }

    @Override
    boolean usedUp() {
        return end - (long) CURSOR.getVolatile(this) < interval;
    }

    @Override
    long spanLeft(long s) {
        return Math.max(0, end - plus(s, lo));
    }
}
