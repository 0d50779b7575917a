package dev.limiter.engine.internal.time;

import dev.limiter.Clock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

/*
 * The engine's one time thread: it owns a TimingWheel, and each duty cycle
 *   1. reads the source clock once and publishes the reading to the CachedClock;
 *   2. drains at most commandCapacity schedules and as many cancels from its JCTools queues
 *      (TimerCommands) into the wheel, and refills the pool of free timer records;
 *   3. advances the wheel to the reading, within maxWorkPerCycle units of work, firing timers
 *      (each target's onTimer runs on this thread; lateness = reading - deadline is recorded);
 *   4. runs every periodic task whose next run is due.
 *
 * Producers (acquiring threads) never touch the wheel. schedule() polls a preallocated
 * TimerRecord from an SPMC pool, fills it and offers it to an MPSC queue: two CASes, no shared
 * ticket counter, no allocation; the ticket is the record's index and generation. cancel() of a
 * timer the ticker has not drained yet is one CAS on the record's state (QUEUED -> WITHDRAWN) and
 * nothing is queued; cancel() of a timer in the wheel (FILED -> CANCELLED) queues a cancel request
 * that this thread applies on its next cycle. The fire is a CAS on the same state, so a timer is
 * fired or cancelled, exactly one, and cancel() returns true only if the timer will not fire. The
 * pool and queues are bounded and never block: an empty record pool refuses a schedule
 * (NULL_TICKET, and a sleeping ticker is woken), and with every cancel request out a cancel of a
 * timer in the wheel returns false with nothing changed; back-pressure is the caller's decision.
 * The records hold the wheel ids, so the ticker keeps no ticket map. See TimerCommands and
 * TimerRecord for the protocol.
 *
 * Memory ordering. Queue offers are release stores and polls acquire loads: a record's plain
 * fields cross with them in both directions; its state word is written with setRelease or CAS and
 * read with getAcquire (TimerRecord). Per-producer order needs no queue order: a cancel acts on
 * the state word its own schedule published. `closed` is a volatile load on each request.
 * Observability counters are single-writer (this thread) and read through volatile loads;
 * refusals are counted with an atomic increment, off the accepted path.
 *
 * Driving. start() runs the cycle on a daemon thread named "limiter-ticker-<name>" (Agrona
 * AgentRunner); close() stops it. A cycle that is not behind (its drain did not fill its budget,
 * no due timer is left, no periodic task did work) counts as idle, and the thread parks until the
 * next due time: the wheel's bound on its earliest deadline or the next periodic run, at most one
 * tick (DeadlineParking); requests queued meanwhile are taken in one batch when it wakes. A
 * schedule whose deadline is earlier than the planned wake-up unparks the thread after its record
 * is queued (the queue's producer-index CAS, then a volatile load of the wake-up; the ticker
 * stores the wake-up, then loads the producer index and takes in what was published before
 * parking: see DeadlineParking); a refused schedule unparks it whatever its deadline. Without start(), runOnce() does exactly one
 * cycle on the calling thread: with a ManualClock, a test moves the clock and calls runOnce() and
 * never sleeps.
 */

/** The engine's ticker: one thread that advances a timing wheel, runs periodic tasks and publishes cached time. */
public final class Ticker implements AutoCloseable {
    /** Returned by {@link #schedule} when no timer record is free (the ticker is behind) or the ticker is closed. */
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
    private final TimerCommands commands;
    private final Recorder lateness = new Recorder(2);
    private final PeriodicTask[] tasks;
    private final long[] periods;
    private final long[] nextRuns;
    private final TimerExpiry expiry = this::expired;
    private final DeadlineParking parking;
    private final Progress progress = new Progress();

    private volatile AgentRunner runner;
    private volatile boolean closed;

    /**
     * What this thread writes every cycle, kept in its own object: the Ticker's fields that
     * producers read on every request (closed, commands, parking) are then not on a line each
     * cycle's stores invalidate. Single writer (this thread); the volatile ones are read by others.
     */
    private static final class Progress {
        long cycleNow;
        boolean firstCycle = true;
        boolean hot;
        volatile int pendingTimers;
        volatile boolean behind;
        volatile long cycles;
        volatile long firedTimers;
        volatile long failures;
    }

    Ticker(TickerBuilder b) {
        this.name = b.name;
        this.source = b.source;
        this.cachedClock = new CachedClock(b.source, b.staleAfterNanos, b.sampleEvery);
        this.wheel = new TimingWheel(b.tickNanos, b.source.nanoTime(), b.initialTimerCapacity);
        this.maxWorkPerCycle = b.maxWorkPerCycle;
        this.commandCapacity = b.commandCapacity;
        this.commands = new TimerCommands(b.commandCapacity);
        this.tasks = b.tasks.toArray(new PeriodicTask[0]);
        this.periods = b.periods.stream().mapToLong(Long::longValue).toArray();
        this.nextRuns = new long[tasks.length];
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
            public boolean takeInput(long wakeNanos) {
                long published = commands.publishedSchedules(); // the handshake's load: see DeadlineParking
                commands.drain(wheel, commandCapacity);
                return commands.drainedSchedules() < published || nextDueNanos() < wakeNanos;
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
     * @return a ticket for {@link #cancel}, or {@link #NULL_TICKET} if no record is free (the
     *     ticker is behind: the caller may retry) or the ticker closed
     */
    public long schedule(long deadlineNanos, TimerTarget target, long payload) {
        if (closed) {
            return NULL_TICKET;
        }
        long ticket = commands.schedule(deadlineNanos, target, payload);
        if (ticket != NULL_TICKET) {
            parking.wakeIfBefore(deadlineNanos);
        } else {
            parking.wakeIfParked();                    // behind: it should drain now, not at its planned wake-up
        }
        return ticket;
    }

    /**
     * Cancels a timer; callable from any thread, lock-free and allocation-free. Exactly one of
     * its fire and a cancel wins: after true the target is never called; a cancel of a timer
     * that fired (or is firing), of a cancelled one, or of a stale ticket is a no-op.
     *
     * @return true if the timer will not fire; false if it fired or was cancelled already, the
     *     ticket is not live, the ticker is closed, or (the timer being in the wheel already)
     *     every cancel request is queued: then nothing changed, the timer still fires, and the
     *     caller may retry
     */
    public boolean cancel(long ticket) {
        return ticket != NULL_TICKET && !closed && commands.cancel(ticket);
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
        AgentRunner r = new AgentRunner(parking, t -> progress.failures++, null, new Duty());
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
        /** @return the cycle's work while it is behind (a full drain, due timers left, a busy task), else 0: then idle */
        @Override
        public int doWork() {
            int work = cycle();
            return progress.hot ? work : 0;
        }

        @Override
        public String roleName() {
            return "limiter-ticker-" + name;
        }
    }

    private int cycle() {
        long now = source.nanoTime();
        now = cachedClock.publish(now); // the cached value never goes back, so neither does the wheel
        progress.cycleNow = now;
        if (progress.firstCycle) {
            progress.firstCycle = false;
            for (int i = 0; i < tasks.length; i++) {
                nextRuns[i] = nextRun(now, periods[i]);
            }
        }
        int drained = commands.drain(wheel, commandCapacity);
        int work = drained + wheel.advance(now, maxWorkPerCycle, expiry);
        int taskWork = 0;
        for (int i = 0; i < tasks.length; i++) {
            if (now >= nextRuns[i]) {
                nextRuns[i] = nextRun(now, periods[i]);
                try {
                    taskWork += Math.max(0, tasks[i].run(now));
                } catch (RuntimeException e) {
                    progress.failures++; // single writer: this thread
                }
            }
        }
        boolean behind = wheel.behind();
        progress.hot = behind || drained >= commandCapacity || taskWork > 0;
        progress.pendingTimers = wheel.pending();
        progress.behind = behind;
        progress.cycles++;
        return work + taskWork;
    }

    /** @return now + period, saturating at Long.MAX_VALUE (period is positive) */
    private static long nextRun(long now, long period) {
        long next = now + period;
        return next < now ? Long.MAX_VALUE : next;
    }

    private void expired(long timerId, long deadlineNanos, long unused, Object attachment) {
        TimerRecord r = (TimerRecord) attachment;
        TimerTarget target = r.target;
        long payload = r.payload;
        if (!commands.fired(r)) {
            return;                                    // a cancel won the record; its request frees it
        }
        long late = progress.cycleNow - deadlineNanos;
        lateness.recordValue(late < 0 ? Long.MAX_VALUE : late); // overflowed: later than any long
        progress.firedTimers++;
        try {
            target.onTimer(payload, deadlineNanos, progress.cycleNow);
        } catch (RuntimeException e) {
            progress.failures++;
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
        return progress.pendingTimers;
    }

    /** @return true if the last cycle ran out of budget with due timers left */
    public boolean behind() {
        return progress.behind;
    }

    /** @return duty cycles run */
    public long cycles() {
        return progress.cycles;
    }

    /** @return timers fired */
    public long firedTimers() {
        return progress.firedTimers;
    }

    /** @return schedules and cancels refused because every timer record or cancel request was out */
    public long refusedCommands() {
        return commands.refused();
    }

    /** @return schedules and cancel requests queued and not yet drained (approximate while producers run) */
    public int queuedCommands() {
        return commands.queued();
    }

    /** @return timer records made so far: pending timers plus the queue's capacity, at their peak */
    int timerRecords() {
        return commands.made();
    }

    /** @return exceptions thrown by timer targets and periodic tasks (each one is counted, then dropped) */
    public long failures() {
        return progress.failures;
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
        return "Ticker[" + name + ", tick " + wheel.tickNanos() + "ns, pending " + progress.pendingTimers
                + ", cycles " + progress.cycles + "]";
    }
}
