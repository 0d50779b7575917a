package dev.limiter.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A leased batch of a fixed or sliding window: g permits that Redis counted in one window (fixed
 * window) or one sub-window (sliding window), valid while Redis's time lies in that span.
 *
 * Why it cannot over-admit. Redis counted the g permits in the span [start, end) when it reserved
 * them, exactly as if g requests had come then. A permit granted locally at a time whose Redis time
 * lies in the same span is counted where the algorithm itself would count it, so the window's (or
 * every sliding window's) total is what Redis already checked against N. The check is on both
 * bounds of the time mapping: s + lo >= start and s + hi < end.
 *
 * Memory ordering: `left` is read and changed only by volatile CAS; a grant is the CAS that takes
 * the permits, so two threads never grant the same permit.
 */
/** Permits counted by Redis in one (sub-)window, granted locally within it; thread-safe, lock-free. */
final class WindowBatch extends PermitBatch {
    private static final VarHandle LEFT;

    static {
        try {
            LEFT = MethodHandles.lookup().findVarHandle(WindowBatch.class, "left", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long start;
    private final long end;
    @SuppressWarnings("unused") // changed through LEFT only
    private volatile long left;

    /** A batch of {@code permits} counted in Redis's span [start, end). */
    WindowBatch(long start, long end, long permits, long lo, long hi) {
        super(lo, hi);
        this.start = start;
        this.end = end;
        this.left = permits;
    }

    private boolean valid(long s) {
        return plus(s, lo) >= start && plus(s, hi) < end;
    }

    @Override
    long tryTake(long s, long permits) {
        if (!valid(s)) {
            return NOT_GRANTED;
        }
        while (true) {
            long l = (long) LEFT.getVolatile(this);
            if (l < permits) {
                return NOT_GRANTED;
            }
            if (LEFT.compareAndSet(this, l, l - permits)) {
                return l - permits;
            }
        }
    }

    @Override
    boolean expired(long s) {
        return plus(s, hi) >= end;
    }

    @Override
    boolean usedUp() {
        return (long) LEFT.getVolatile(this) == 0;
    }

    @Override
    long spanLeft(long s) {
        return Math.max(0, end - plus(s, lo));
    }

    /** @return the permits not granted yet */
    long left() {
        return (long) LEFT.getVolatile(this);
    }
}
