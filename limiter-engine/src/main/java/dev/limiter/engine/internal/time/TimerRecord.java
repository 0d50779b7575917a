package dev.limiter.engine.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * One timer between a producer and the ticker: its request fields and a state word that says who
 * owns it. Records are preallocated, reused, and never leave TimerCommands; a ticket is the
 * record's index and the generation it was scheduled under, so a stale ticket never matches.
 *
 * State word: generation << PHASE_BITS | phase. A schedule starts a new generation, in
 * 1 .. 2^31 - 1 (never 0, so no ticket is Ticker.NULL_TICKET). Phases and their only transitions
 * (P: a producer, T: the ticker):
 *
 *   (g - 1, any end) --P schedule--> QUEUED --T drain, CAS--> FILED --T fire, CAS--> FIRED
 *                                      |                        |
 *                                      P cancel, CAS            P cancel, CAS
 *                                      v                        v
 *                                   WITHDRAWN                CANCELLED
 *
 * FIRED, WITHDRAWN and CANCELLED are ends: the generation is over, and the ticker returns the
 * record to the free pool without writing its state again (a withdrawn record, the common cancel,
 * is only read by the ticker). The producer that polls a record from the pool owns it and starts
 * the next generation with a release store. Every move out of QUEUED or FILED is a CAS, so a
 * cancel and the ticker's drain or fire cannot both win: a timer is fired or cancelled, never both.
 * A stale ticket names an older generation, so its CAS and its state checks never match.
 *
 * Memory ordering. The state is written with setRelease or compareAndSet and read with getAcquire
 * (or under a queue's acquire). The request fields (deadline, payload, target) are written by the
 * producer with plain stores before the state's release store and the queue offer (a release), and
 * read by the ticker after its poll (an acquire). The ticker's last reads and writes of a record
 * (it clears the target of a fired or cancelled timer; a withdrawn one keeps its target until the
 * next schedule overwrites it, so at most the pool's capacity of stale targets stay reachable)
 * come before it returns the record to the free pool (a release), which the next producer's poll
 * (an acquire) orders before its own writes. wheelId is the ticker's alone.
 */
/** A pooled timer request shared by a producer and the ticker; its state word decides who owns it. */
final class TimerRecord {
    static final int PHASE_BITS = 3;
    static final long PHASE_MASK = (1L << PHASE_BITS) - 1;
    static final long FIRED = 0;
    static final long QUEUED = 1;
    static final long FILED = 2;
    static final long WITHDRAWN = 3;
    static final long CANCELLED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TimerRecord.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    private long state;          // accessed through STATE only
    long deadline;
    long payload;
    Ticker.TimerTarget target;
    long wheelId;                // the ticker's: the wheel id while FILED or CANCELLED

    TimerRecord(int index) {
        this.index = index;
        this.state = FIRED;                      // generation 0, over: free; published by the free pool's offer
    }

    long stateAcquire() {
        return (long) STATE.getAcquire(this);
    }

    void stateRelease(long value) {
        STATE.setRelease(this, value);
    }

    boolean casState(long expected, long next) {
        return STATE.compareAndSet(this, expected, next);
    }

    /** @return the ticket of {@code state}'s generation */
    long ticket(long state) {
        return (state >>> PHASE_BITS) << 32 | index;
    }

    /** @return the state word of {@code ticket}'s generation in {@code phase} */
    static long stateOf(long ticket, long phase) {
        return (ticket >>> 32) << PHASE_BITS | phase;
    }

    static long phase(long state) {
        return state & PHASE_MASK;
    }

    /** @return QUEUED in the generation after {@code state}'s: 1 .. 2^31 - 1, wrapping, never 0 */
    static long nextQueued(long state) {
        long generation = state >>> PHASE_BITS;
        return (generation == Integer.MAX_VALUE ? 1 : generation + 1) << PHASE_BITS | QUEUED;
    }
}
