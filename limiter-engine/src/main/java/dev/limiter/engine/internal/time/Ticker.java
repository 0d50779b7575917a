package dev.limiter.engine.internal.time;

import dev.limiter.Clock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

import java.util.concurrent.atomic.AtomicLong;

/*
 * The engine's one time thread: it owns a TimingWheel, and each duty cycle
 *   1. reads the source clock once and publishes the reading to the CachedClock;
 *   2. drains at most commandCapacity schedule / cancel commands from the MPSC command queue;
 *   3. advances the wheel to the reading, within maxWorkPerCycle units of work, firing timers
 *      (each target's onTimer runs on this thread; lateness = reading - deadline is recorded);
 *   4. runs every periodic task whose next run is due.
 *
 * Producers (acquiring threads) never touch the wheel. schedule() takes a ticket from a shared
 * counter, takes a Command from the preallocated pool (as many as the queue holds, so the
 * producer path never allocates: an empty pool means a full queue, and the command is refused),
 * fills it and offers it to the queue; cancel() does the same with the ticket. The ticker maps tickets to wheel ids in an open-addressed long map. A full queue
 * refuses the command (schedule returns NULL_TICKET) instead of blocking: back-pressure is the
 * caller's decision.
 *
 * Memory ordering. A producer writes the command's fields with plain stores, then offer() publishes
 * it with a release store of the queue slot; the ticker's poll reads the slot with an acquire load,
 * so it sees every field. The ticker clears a command and returns it to the SPMC pool (release);
 * a producer's poll (acquire) then owns it exclusively. Per-producer order is kept by the queue,
 * so a cancel always follows its own schedule. Observability counters are single-writer (this
 * thread) and read through volatile loads.
 *
 * Driving. start() runs the cycle on a daemon thread named "limiter-ticker-<name>" (Agrona
 * AgentRunner); close() stops it. An idle cycle parks until the next due time: the wheel's bound
 * on its earliest deadline or the next periodic run, at most one tick (DeadlineParking). A
 * schedule whose deadline is earlier than the planned wake-up unparks the thread after its
 * command is queued (the queue's producer-index CAS, then a volatile load of the wake-up; the
 * ticker stores the wake-up, then checks the queue before parking: see DeadlineParking). Without start(),
 * runOnce() does exactly one cycle on the calling thread: with a ManualClock, a test moves the
 * clock and calls runOnce() and never sleeps.
 */

/** The engine's ticker: one thread that advances a timing wheel, runs periodic tasks and publishes cached time. */
public final class Ticker implements AutoCloseable {
    /** Returned by {@link #schedule} when the command queue is full or the ticker is closed. */
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

    static final byte SCHEDULE = 1;
    static final byte CANCEL = 2;

    /** One request from a producer; pooled. */
    static final class Command {
        byte kind;
        long ticket;
        long deadline;
        long payload;
        TimerTarget target;
    }

    private final String name;
    private final Clock source;
    private final CachedClock cachedClock;
    private final TimingWheel wheel;
    private final int maxWorkPerCycle;
    private final int commandCapacity;
    private final MpscArrayQueue<Command> commands;
    private final SpmcArrayQueue<Command> pool;
    private final AtomicLong tickets = new AtomicLong(NULL_TICKET + 1);
    private final AtomicLong refused = new AtomicLong();
    private final Recorder lateness = new Recorder(2);
    private final PeriodicTask[] tasks;
    private final long[] periods;
    private final long[] nextRuns;
    private final Long2LongHashMap wheelIdByTicket = new Long2LongHashMap(1024, 0.65f, TimingWheel.NULL_TIMER);
    private final TimerExpiry expiry = this::expired;
    private final MessagePassingQueue.Consumer<Command> execute = this::execute;
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
        this.commands = new MpscArrayQueue<>(b.commandCapacity);
        this.pool = new SpmcArrayQueue<>(b.commandCapacity);
        for (int i = 0; i < b.commandCapacity && pool.offer(new Command()); i++) {
            // preallocated: the producer path never allocates
        }
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
                return !commands.isEmpty();
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
     * @return a ticket for {@link #cancel}, or {@link #NULL_TICKET} if the queue is full or the ticker closed
     */
    public long schedule(long deadlineNanos, TimerTarget target, long payload) {
        if (closed) {
            return NULL_TICKET;
        }
        long ticket = tickets.getAndIncrement();
        if (!submit(SCHEDULE, ticket, deadlineNanos, target, payload)) {
            return NULL_TICKET;
        }
        parking.wakeIfBefore(deadlineNanos);
        return ticket;
    }

    /**
     * Asks the ticker to cancel a timer; callable from any thread. A timer that has already fired
     * (or is firing) is unaffected.
     *
     * @return true if the request was queued
     */
    public boolean cancel(long ticket) {
        return ticket != NULL_TICKET && !closed && submit(CANCEL, ticket, 0, null, 0);
    }

    private boolean submit(byte kind, long ticket, long deadline, TimerTarget target, long payload) {
        Command c = pool.poll();
        if (c == null) {
            // every command is in the queue or being applied: the queue is full, so refuse without allocating
            refused.incrementAndGet();
            return false;
        }
        c.kind = kind;
        c.ticket = ticket;
        c.deadline = deadline;
        c.target = target;
        c.payload = payload;
        if (commands.offer(c)) {
            return true;
        }
        c.target = null;
        pool.offer(c); // unreachable while the pool is no larger than the queue; kept for safety
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
        int work = commands.drain(execute, commandCapacity);
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

    private void execute(Command c) {
        if (c.kind == SCHEDULE) {
            long id = wheel.schedule(c.deadline, c.payload, c.target);
            int slot = TimingWheel.slotOf(id);
            if (slot >= ticketBySlot.length) {
                ticketBySlot = java.util.Arrays.copyOf(ticketBySlot, wheel.capacity());
            }
            ticketBySlot[slot] = c.ticket;
            wheelIdByTicket.put(c.ticket, id);
        } else {
            long id = wheelIdByTicket.remove(c.ticket);
            if (id != TimingWheel.NULL_TIMER) {
                wheel.cancel(id);
            }
        }
        c.target = null;
        pool.offer(c);
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

    /** @return commands refused because the queue was full */
    public long refusedCommands() {
        return refused.get();
    }

    /** @return commands queued and not yet drained (approximate while producers run) */
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
