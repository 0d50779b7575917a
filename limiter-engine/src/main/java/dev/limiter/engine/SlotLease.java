package dev.limiter.engine;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Lease;
import dev.limiter.Limiter;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimeMath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * Permits held from a concurrency limit; thread-safe.
 *
 * States: HELD -> RELEASED (close()) or HELD -> RECLAIMED (its timer). Exactly one transition wins
 * a CAS on `state`, and only the winner returns the permits to the key's state word, so they are
 * returned at most once whatever races between a late close() and the timer.
 *
 * Reclaim on time. A granted lease schedules itself on the engine's ticker at t + H (t the
 * decision's time, H the limit's max hold); close() cancels the ticket. When the timer fires
 * (never before t + H, at most one tick after) and the lease is still HELD, the ticker's thread
 * moves it to RECLAIMED and refunds its permits through the kernel - the same exact refund as a
 * release, which is a no-op if the key's generations already rolled it out. If the timer cannot be
 * scheduled (the ticker's queue has no free timer record or the engine is closing), the kernel's
 * lazy reclaim by 2H still applies.
 *
 * Offset -1: granted by a full table configured to admit; holds nothing and schedules nothing.
 *
 * Slot: (table, offset) where the lease was granted; a rotation may move the key later, and the
 * limiter's release relocates it by the fingerprint the old slot holds.
 */
final class SlotLease implements Lease, Ticker.TimerTarget {
    private static final VarHandle STATE;
    private static final int HELD = 0;
    private static final int RELEASED = 1;
    private static final int RECLAIMED = 2;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SlotLease.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OffHeapLimiter limiter;
    private final KeyTable table;
    private final int offset;
    private final long permits;
    private final long token;
    private long ticket = Ticker.NULL_TICKET;
    @SuppressWarnings("unused")
    private volatile int state;

    SlotLease(OffHeapLimiter limiter, KeyTable table, int offset, long permits, long token) {
        this.limiter = limiter;
        this.table = table;
        this.offset = offset;
        this.permits = permits;
        this.token = token;
    }

    /** @return a lease granted at {@code now}, its reclaim scheduled at {@code now + maxHold} */
    static SlotLease granted(OffHeapLimiter limiter, KeyTable table, int offset, long permits, long token,
                             long now) {
        SlotLease lease = new SlotLease(limiter, table, offset, permits, token);
        long deadline = TimeMath.addSaturated(now, limiter.limit().maxHoldNanos());
        lease.ticket = limiter.engine().time().schedule(deadline, lease, 0L);
        return lease;
    }

    /** Leases come only from {@link ConcurrencyLimiter#tryLease}, so the core is a concurrency limiter here. */
    @Override
    public ConcurrencyLimiter limiter() {
        return (ConcurrencyLimiter) limiter;
    }

    @Override
    public long permits() {
        return permits;
    }

    @Override
    public boolean isHeld() {
        return state == HELD && (offset < 0 || !limiter.isReclaimed(token, limiter.clock().nanoTime()));
    }

    @Override
    public boolean wasReclaimed() {
        return state == RECLAIMED;
    }

    @Override
    public void close() {
        if (STATE.compareAndSet(this, HELD, RELEASED)) {
            if (ticket != Ticker.NULL_TICKET) {
                limiter.engine().time().cancel(ticket);
            }
            limiter.steps().release(table, offset, permits, token, limiter.clock().nanoTime());
        }
    }

    /** The reclaim timer, on the ticker's thread. */
    @Override
    public void onTimer(long payload, long deadlineNanos, long nowNanos) {
        if (STATE.compareAndSet(this, HELD, RECLAIMED)) {
            limiter.steps().release(table, offset, permits, token, nowNanos);
            limiter.engine().time().leaseReclaimed();
        }
    }

    @Override
    public String toString() {
        int s = state;
        return "Lease[" + limiter.limit().name() + ", " + permits + " permits"
                + (s == RELEASED ? ", released" : s == RECLAIMED ? ", reclaimed" : isHeld() ? "" : ", expired") + "]";
    }
}
