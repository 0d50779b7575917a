package dev.limiter.engine.internal.time;

import dev.limiter.Clock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * The enforced staleness horizon of one limiter.
 *
 * Why. A kernel whose state keeps time as a short tag (windows, generations: see each kernel) can
 * order a caller's "now" against a key's time only while the two lie less than S units apart
 * (Kernel.horizonNanos). A caller far behind a key and a key idle for long look the same to a tag
 * that wrapped: read as "idle", a stale caller would open a fresh window and over-admit.
 *
 * Idea. Keep L, about the latest "now" this limiter has seen, as floor = L - H with H = horizon/4,
 * and treat any caller older than the floor as acting at the floor. A caller is then at least
 * L - H; a key's time is at most L + H (a caller more than 2H past the floor raises it first); so
 * every caller lies within 2H = S/2 of every key it can be compared with, and a difference of S or
 * more can only mean an idle key. Acting later than asked is always safe: per-key time is
 * monotonic anyway, and a stale caller is already counted at the key's own, later time.
 *
 * The floor only moves forward, and only to a "now" no more than H ahead of the limiter's clock: a
 * caller with a time from the future moves its own key, never every key. So the guarantee holds for
 * callers whose "now" comes from the limiter's clock (or lags it): whatever their staleness, never
 * over-admission. A caller whose "now" runs more than H ahead of the clock is taken as given.
 *
 * Eviction mark. The same floor is the eviction mark W of idle-key eviction (EVICTION.md): before
 * any key is evicted, raiseTo(W) lifts the floor to W (never above the clock), and every decision
 * reads the floor after the key's state word and acts at max(now, floor). A key evicted because
 * its state decayed by W then decides exactly as the kept state would: no caller acts before W.
 * This holds for kernels with full-range time too (reach 0): they also read the floor.
 *
 * Cost. One acquire load and two comparisons per decision; a CAS about once per H of time.
 *
 * Memory ordering. floor is read with acquire and raised by CAS to a larger value only, so readers
 * see a non-decreasing floor; a stale read only means a caller is clamped to an older floor, which
 * the argument above already allows for (the raise happens before the raiser's own decision).
 */
/** Keeps a limiter's callers within a kernel's time horizon of each other; thread-safe, lock-free. */
public final class StalenessFloor {
    private static final VarHandle FLOOR;

    static {
        try {
            FLOOR = MethodHandles.lookup().findVarHandle(StalenessFloor.class, "floor", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A floor for kernels whose state holds full-range time: every caller acts at its own "now". */
    public static final StalenessFloor NONE = new StalenessFloor(Long.MAX_VALUE, Clock.system());

    private final long reach;
    private final Clock clock;
    @SuppressWarnings("unused")
    private volatile long floor = Long.MIN_VALUE;

    /**
     * @param horizonNanos the kernel's horizon S in nanoseconds; {@link Long#MAX_VALUE} when its
     *     state holds full-range time and no floor is needed
     * @param clock the limiter's clock, which bounds how far the floor may move
     */
    public StalenessFloor(long horizonNanos, Clock clock) {
        this.reach = horizonNanos == Long.MAX_VALUE ? 0 : Math.max(1L, horizonNanos / 4);
        this.clock = clock;
    }

    /** @return H, the most a caller may lag the latest time before it is moved forward; 0 when unbounded */
    public long reachNanos() {
        return reach;
    }

    /** @return the time a caller asking at {@code now} acts at: {@code now}, or the floor when older */
    public long effective(long now) {
        long f = (long) FLOOR.getAcquire(this);
        if (now < f) {
            return f;
        }
        if (reach != 0 && Long.compareUnsigned(now - f, 2 * reach) > 0) {   // now >= f, so the difference is exact
            raise(now);
        }
        return now;
    }

    /** @return the floor now: no decision acts before it (the eviction mark W) */
    public long mark() {
        return (long) FLOOR.getAcquire(this);
    }

    /**
     * Raises the floor to {@code mark} (the eviction mark W) unless it is already there; the floor
     * never moves back. The caller passes a reading of the limiter's clock, so W never runs ahead of
     * it. Returns after the raise is visible: a decision that reads the floor later acts at W or later.
     *
     * @return the floor after the raise, at least {@code mark}
     */
    public long raiseTo(long mark) {
        for (;;) {
            long f = (long) FLOOR.getAcquire(this);
            if (mark <= f || FLOOR.compareAndSet(this, f, mark)) {
                return Math.max(f, mark);
            }
        }
    }

    private void raise(long now) {
        if (now > TimeMath.addSaturated(clock.nanoTime(), reach)) {
            return;                                            // ahead of the clock: moves its key only
        }
        long target = now - reach;
        for (;;) {
            long f = (long) FLOOR.getAcquire(this);
            if (target <= f || FLOOR.compareAndSet(this, f, target)) {
                return;
            }
        }
    }
}
