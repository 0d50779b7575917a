package dev.limiter.engine.internal.time;

import dev.limiter.Clock;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/*
 * How the ticker's thread waits when a duty cycle found nothing urgent to do: it parks until the
 * owner's next due time (the wheel's bound on its earliest deadline, the next periodic run), at
 * most maxParkNanos (one tick, so that the cached clock is published at least once a tick and
 * close() is answered within a tick), instead of a fixed back-off. Requests that arrive while it
 * sleeps wait for the wake-up and are taken in one batch, unless one is due before it: a producer
 * that schedules a deadline earlier than the planned wake-up unparks the thread; every other
 * producer leaves it alone, so the caller side pays one volatile load, not an unpark, per
 * schedule, and a steady stream of far timers does not keep the ticker spinning one record behind
 * the producers (which would pass every record's cache line back and forth).
 *
 * The sleep is measured to the planned wake-up from after the intake, not from before it: a large
 * batch taken in (up to the queue's capacity, a millisecond's work) is not slept on top of the due
 * time.
 *
 * Protocol (a Dekker-style handshake, so that no early deadline sleeps through its time):
 *   ticker:   plannedWake = t (volatile store);
 *             owner.takeInput(t): p = the queue's producer index (volatile load); drain the
 *               requests published so far into the wheel; true if the drain did not reach p
 *               (a request claimed but not visible yet) or something is now due before t;
 *             if true: plannedWake = AWAKE, return; park until t; plannedWake = AWAKE
 *   producer: claim a queue slot by CAS of the producer index, publish the request;
 *             if deadline < plannedWake (volatile load): unpark the ticker
 * The ticker's store of plannedWake, its load of the producer index, a producer's CAS of it and
 * its load of plannedWake are sequentially consistent: a producer whose CAS comes before the
 * ticker's load is in p, so the ticker takes it in (or does not park); one whose CAS comes after
 * it loads plannedWake after the ticker stored it, and unparks it if its deadline is earlier (an
 * unpark before the park makes the park return at once). AWAKE (Long.MIN_VALUE) is below every
 * deadline comparison's threshold, so while the ticker runs no producer unparks it.
 *
 * Threading: idle() is called by the ticker's thread only (AgentRunner); wakeIfBefore() by any
 * thread.
 */
/** Parks the ticker's thread until its next due time; producers with an earlier deadline wake it. */
final class DeadlineParking implements IdleStrategy {
    /** What the parked thread waits for; implemented by its owner, called on the owner's thread. */
    interface Owner {
        /** @return a time at or before the next moment the owner has work, {@link Long#MAX_VALUE} for none */
        long nextDueNanos();

        /**
         * Takes in the requests published so far (after the planned wake-up was stored).
         *
         * @return true if one of them is due before {@code wakeNanos}, or one claimed before the
         *     call was not visible yet: the thread must not park
         */
        boolean takeInput(long wakeNanos);
    }

    private static final long AWAKE = Long.MIN_VALUE;
    private static final int SPINS = 1;
    private static final int YIELDS = 1;

    private final Clock source;
    private final long maxParkNanos;
    private final Owner owner;
    private volatile long plannedWake = AWAKE;
    private volatile Thread sleeper;
    private int idleCycles;

    DeadlineParking(Clock source, long maxParkNanos, Owner owner) {
        this.source = source;
        this.maxParkNanos = maxParkNanos;
        this.owner = owner;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            if (idleCycles != 0) {
                idleCycles = 0;                       // no store on a busy cycle: producers read plannedWake beside it
            }
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (idleCycles < SPINS) {
            idleCycles++;
            Thread.onSpinWait();
        } else if (idleCycles < SPINS + YIELDS) {
            idleCycles++;
            Thread.yield();
        } else {
            park();
        }
    }

    @Override
    public void reset() {
        idleCycles = 0;
    }

    @Override
    public String alias() {
        return "deadline";
    }

    private void park() {
        if (sleeper == null) {
            sleeper = Thread.currentThread();
        }
        long now = source.nanoTime();
        long due = owner.nextDueNanos();
        if (due <= now) {
            return;                                   // work is due already: run the next cycle
        }
        long nanos = due - now < 0 ? maxParkNanos : Math.min(due - now, maxParkNanos); // < 0: overflowed, far away
        long wake = TimeMath.addSaturated(now, nanos);
        plannedWake = wake;
        if (!owner.takeInput(wake)) {
            long left = wake - source.nanoTime();     // after the intake: its time is not slept on top
            if (left > 0) {
                LockSupport.parkNanos(this, left);
            }
        }
        plannedWake = AWAKE;
    }

    /** Unparks the ticker if it is parked or about to park: a refused request means its queue needs draining now. */
    void wakeIfParked() {
        if (plannedWake != AWAKE) {
            Thread t = sleeper;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Unparks the ticker if it plans to sleep past {@code deadlineNanos}; call after publishing the request. */
    void wakeIfBefore(long deadlineNanos) {
        if (deadlineNanos < plannedWake) {
            Thread t = sleeper;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }
}
