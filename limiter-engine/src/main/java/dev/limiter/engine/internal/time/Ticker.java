package dev.limiter.engine.internal.time;

import dev.limiter.Clock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

import java.util.concurrent.atomic.AtomicLong;

/*
 * The engine's one time thread: it owns a TimingWheel, and each duty cycle
 *   1. reads the source clock once and publishes the reading to the CachedClock;
 *   2. drains at most commandCapacity schedule / cancel requests from the CommandRing;
 *   3. advances the wheel to the reading, within maxWorkPerCycle units of work, firing every
 *      timer whose deadline is at or before the reading (each target's onTimer runs on this
 *      thread; lateness = reading - deadline is recorded);
 *   4. runs every periodic task whose next run is due.
 *
 * Producers (acquiring threads) never touch the wheel. schedule() claims a slot of the
 * CommandRing (one CAS on its producer sequence), fills it and publishes it with a release store
 * of the slot's state word; the sequence number is the ticket. cancel() withdraws a schedule the
 * ticker has not drained yet with one CAS on that state word, and otherwise queues a cancel
 * request in the ring, which the ticker applies after the schedule (its sequence is later). The
 * ring is preallocated and bounded: a full ring refuses (schedule returns NULL_TICKET, cancel
 * false) instead of blocking, and the caller decides; nothing is allocated on the caller's side.
 * The ticker maps tickets to wheel ids in an open-addressed long map.
 *
 * Memory ordering. Producer: CAS of the ring's producer sequence (claims the slot), plain stores
 * of the slot's fields, setRelease of its state; ticker: getAcquire of the state, so it sees every
 * field, then a CAS (or setRelease) that frees the slot after its last read of the fields. A
 * cancel's CAS on the state races the ticker's draining CAS on the same word: exactly one wins
 * (see CommandRing). Observability counters are single-writer (this thread) and read through
 * volatile loads; refusals are counted with an atomic increment.
 *
 * Driving. start() runs the cycle on a daemon thread named "limiter-ticker-<name>" (Agrona
 * AgentRunner); close() stops it. An idle cycle parks until the next due time: the wheel's bound
 * on its earliest deadline or the next periodic run, at most one tick (DeadlineParking). A
 * schedule whose deadline is earlier than the planned wake-up unparks the thread after its
 * request is published (the ring's producer-sequence CAS, then a volatile load of the wake-up;
 * the ticker stores the wake-up, then loads the producer sequence before parking: see
 * DeadlineParking). Without start(), runOnce() does exactly one cycle on the calling thread: with
 * a ManualClock, a test moves the clock and calls runOnce() and never sleeps.
 */

/** The engine's ticker: one thread that advances a timing wheel, runs periodic tasks and publishes cached time. */
public final class Ticker implements AutoCloseable {
    /** Returned by {@link #schedule} when the command ring is full or the ticker is closed. */
    public static final long NULL_TICKET = 0L;

    /** What a timer runs when it fires; called on the ticker's thread. Keep it short and non-blocking. */
    @FunctionalInterface
    public interface TimerTarget {
        /**
         * @param payload the value given to {@link #schedule} (for example an index into the target's array)
         * @param deadlineNanos the deadline it was scheduled for
         * @param nowNanos the ticker's reading when it fired
         */
        void onTimer(long payload, long deadlineNanos, long nowNanos);
    }

    /** A task the ticker runs every period (eviction sweeps, lease reclaim); called on the ticker's thread. */
    @FunctionalInterface
    public interface PeriodicTask {
        /**
         * Does a bounded slice of work and returns; the rest waits for the next run.
         *
         * @return units of work done (0 when idle), so that the ticker backs off only when idle
         */
        int run(long nowNanos);
    }

    private final String name;
    private final Clock source;
    private final CachedClock cachedClock;
    private final TimingWheel wheel;
    private final int maxWorkPerCycle;
    private final int commandCapacity;
    private final CommandRing commands;
    private final AtomicLong refused = new AtomicLong();
    private final Recorder lateness = new Recorder(2);
    private final PeriodicTask[] tasks;
    private final long[] periods;
    private final long[] nextRuns;
    private final Long2LongHashMap wheelIdByTicket = new Long2LongHashMap(1024, 0.65f, TimingWheel.NULL_TIMER);
    private final TimerExpiry expiry = this::expired;
    private final CommandRing.Sink sink = new Apply();
    private final DeadlineParking parking;
    private long[] ticketBySlot;
    private long cycleNow;
    private boolean firstCycle = true;

    private volatile AgentRunner runner;
    private volatile boolean closed;
    private volatile int pendingTimers;
    private volatile boolean behind;
    private volatile long cycles;
    private volatile long firedTimers;
    private volatile long failures;

    Ticker(TickerBuilder b) {
        this.name = b.name;
        this.source = b.source;
        this.cachedClock = new CachedClock(b.source, b.staleAfterNanos, b.sampleEvery);
        this.wheel = new TimingWheel(b.tickNanos, b.source.nanoTime(), b.initialTimerCapacity);
        this.maxWorkPerCycle = b.maxWorkPerCycle;
        this.commandCapacity = b.commandCapacity;
        this.commands = new CommandRing(b.commandCapacity);
        this.tasks = b.tasks.toArray(new PeriodicTask[0]);
        this.periods = b.periods.stream().mapToLong(Long::longValue).toArray();
        this.nextRuns = new long[tasks.length];
        this.ticketBySlot = new long[wheel.capacity()];
        this.parking = new DeadlineParking(b.source, b.tickNanos, new DeadlineParking.Owner() {
            @Override
            public long nextDueNanos() {
                long due = wheel.nextDeadlineBound();
                for (long run : nextRuns) {
                    due = Math.min(due, run);
                }
                return due;
            }

            @Override
            public boolean hasInput() {
                return commands.hasInput();
            }
        });
    }

    /** @return a builder for a ticker named {@code name} that reads {@code source} */
    public static TickerBuilder builder(String name, Clock source) {
        return new TickerBuilder(name, source);
    }

    /**
     * Schedules {@code target.onTimer(payload, ...)} at {@code deadlineNanos}; callable from any
     * thread, lock-free and allocation-free.
     *
     * @return a ticket for {@link #cancel}, or {@link #NULL_TICKET} if the ring is full or the ticker closed
     */
    public long schedule(long deadlineNanos, TimerTarget target, long payload) {
        if (closed) {
            return NULL_TICKET;
        }
        long ticket = commands.schedule(deadlineNanos, target, payload);
        if (ticket == NULL_TICKET) {
            refused.incrementAndGet();
            return NULL_TICKET;
        }
        parking.wakeIfBefore(deadlineNanos);
        return ticket;
    }

    /**
     * Asks the ticker to cancel a timer; callable from any thread, lock-free and allocation-free.
     * A timer that has already fired (or is firing) is unaffected.
     *
     * @return true if the schedule was withdrawn or the cancel queued; false if the ring is full
     *     (the caller may retry) or the ticker closed
     */
    public boolean cancel(long ticket) {
        if (ticket == NULL_TICKET || closed) {
            return false;
        }
        if (commands.cancel(ticket)) {
            return true;
        }
        refused.incrementAndGet();
        return false;
    }

    /**
     * Does one duty cycle on the calling thread: reads the clock, publishes the cached time, drains
     * commands, advances the wheel within its budget and runs due periodic tasks. Tests drive a
     * ticker that was never started with this call; it throws once {@link #start()} was called.
     *
     * @return units of work done (0 when there was nothing to do)
     */
    public int runOnce() {
        if (runner != null) {
            throw new IllegalStateException("ticker " + name + " runs on its own thread");
        }
        return cycle();
    }

    /** Starts the ticker's daemon thread; at most once. */
    public synchronized void start() {
        if (runner != null || closed) {
            throw new IllegalStateException("ticker " + name + " already started or closed");
        }
        AgentRunner r = new AgentRunner(parking, t -> failures++, null, new Duty());
        runner = r;
        AgentRunner.startOnThread(r, task -> {
            Thread t = new Thread(task, "limiter-ticker-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops the thread (if started) and refuses further commands; readers of the cached clock fall back to the source. */
    @Override
    public synchronized void close() {
        closed = true;
        AgentRunner r = runner;
        if (r != null) {
            r.close();
        }
    }

    private final class Duty implements Agent {
        @Override
        public int doWork() {
            return cycle();
        }

        @Override
        public String roleName() {
            return "limiter-ticker-" + name;
        }
    }

    private int cycle() {
        long now = source.nanoTime();
        now = cachedClock.publish(now); // the cached value never goes back, so neither does the wheel
        cycleNow = now;
        if (firstCycle) {
            firstCycle = false;
            for (int i = 0; i < tasks.length; i++) {
                nextRuns[i] = nextRun(now, periods[i]);
            }
        }
        int work = commands.drain(sink, commandCapacity);
        work += wheel.advance(now, maxWorkPerCycle, expiry);
        for (int i = 0; i < tasks.length; i++) {
            if (now >= nextRuns[i]) {
                nextRuns[i] = nextRun(now, periods[i]);
                try {
                    work += Math.max(0, tasks[i].run(now));
                } catch (RuntimeException e) {
                    failures++; // single writer: this thread
                }
            }
        }
        pendingTimers = wheel.pending();
        behind = wheel.behind();
        cycles++;
        return work;
    }

    /** @return now + period, saturating at Long.MAX_VALUE (period is positive) */
    private static long nextRun(long now, long period) {
        long next = now + period;
        return next < now ? Long.MAX_VALUE : next;
    }

    /** Applies drained requests to the wheel, on this thread. */
    private final class Apply implements CommandRing.Sink {
        @Override
        public void schedule(long ticket, long deadlineNanos, long payload, TimerTarget target) {
            long id = wheel.schedule(deadlineNanos, payload, target);
            int slot = TimingWheel.slotOf(id);
            if (slot >= ticketBySlot.length) {
                ticketBySlot = java.util.Arrays.copyOf(ticketBySlot, wheel.capacity());
            }
            ticketBySlot[slot] = ticket;
            wheelIdByTicket.put(ticket, id);
        }

        @Override
        public void cancel(long ticket) {
            long id = wheelIdByTicket.remove(ticket);
            if (id != TimingWheel.NULL_TIMER) {
                wheel.cancel(id);
            }
        }
    }

    private void expired(long timerId, long deadlineNanos, long payload, Object attachment) {
        wheelIdByTicket.remove(ticketBySlot[TimingWheel.slotOf(timerId)]);
        long late = cycleNow - deadlineNanos;
        lateness.recordValue(late < 0 ? Long.MAX_VALUE : late); // overflowed: later than any long
        firedTimers++;
        try {
            ((TimerTarget) attachment).onTimer(payload, deadlineNanos, cycleNow);
        } catch (RuntimeException e) {
            failures++;
        }
    }

    /** @return the clock this ticker publishes to */
    public CachedClock cachedClock() {
        return cachedClock;
    }

    /** @return the wheel's tick in nanoseconds (a power of two) */
    public long tickNanos() {
        return wheel.tickNanos();
    }

    /** @return the ticker's name (its thread is "limiter-ticker-" + name) */
    public String name() {
        return name;
    }

    /** @return timers pending at the end of the last cycle */
    public int pendingTimers() {
        return pendingTimers;
    }

    /** @return true if the last cycle ran out of budget with due timers left */
    public boolean behind() {
        return behind;
    }

    /** @return duty cycles run */
    public long cycles() {
        return cycles;
    }

    /** @return timers fired */
    public long firedTimers() {
        return firedTimers;
    }

    /** @return schedules and cancels refused because the ring was full */
    public long refusedCommands() {
        return refused.get();
    }

    /** @return requests queued and not yet drained (approximate while producers run) */
    public int queuedCommands() {
        return commands.size();
    }

    /** @return exceptions thrown by timer targets and periodic tasks (each one is counted, then dropped) */
    public long failures() {
        return failures;
    }

    /** @return the timer-lateness histogram (ns) since the previous call; thread-safe */
    public Histogram latenessSinceLastRead() {
        return lateness.getIntervalHistogram();
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Ticker[" + name + ", tick " + wheel.tickNanos() + "ns, pending " + pendingTimers + ", cycles " + cycles + "]";
    }
}
