package dev.limiter.benchmarks.time;

import dev.limiter.Clock;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimerExpiry;
import dev.limiter.engine.internal.time.TimingWheel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import org.agrona.DeadlineTimerWheel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Question: what does one timer cost — scheduled then cancelled, or scheduled then fired — in this
 * engine's {@link TimingWheel} (and through its {@link Ticker}'s command queues) against
 * {@link ScheduledThreadPoolExecutor}, Netty's {@link HashedWheelTimer} and Agrona's
 * {@link DeadlineTimerWheel}?
 *
 * <p>Every contender holds {@value #BACKGROUND} long-lived timers spread over about an hour, so no
 * structure is measured empty. {@code *ScheduleCancel}: one op schedules a timer 10 s ahead and
 * cancels it. The single-threaded wheels do it in place; the ticker, the executor and Netty's
 * timer are measured on the calling thread, the side an acquiring thread pays (their own thread
 * applies the command later); the ticker's bounded queue pushes back when its thread falls behind,
 * the others' queues are unbounded. {@code *ScheduleFire} (single-threaded wheels only, on a manual
 * time so that the work per op is the same): one op schedules a timer {@value #DELAY_TICKS} ticks
 * ahead, moves time by 1/8 tick and polls, so one timer fires per op in the steady state
 * ({@link TimerCounts#fired} shows it).
 *
 * <p>Run (after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'time.TimerScheduleBenchmark' -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class TimerScheduleBenchmark {
    /** Timers every structure holds in the background. */
    public static final int BACKGROUND = 10_000;
    /** Tick of both wheels: 2^20 ns, about 1 ms. */
    public static final long TICK = 1L << 20;
    /** Schedule-and-fire delay, in ticks. */
    public static final int DELAY_TICKS = 64;
    private static final long CANCEL_DELAY = TimeUnit.SECONDS.toNanos(10);
    private static final Runnable NOOP = () -> { };
    private static final TimerTask NETTY_NOOP = t -> { };
    private static final Ticker.TimerTarget TARGET = (payload, deadline, now) -> { };

    /** The single-threaded wheels on a manual time. */
    @State(Scope.Thread)
    public static class Wheels {
        TimingWheel wheel;
        DeadlineTimerWheel agrona;
        long now;
        TimerCounts counts;
        final TimerExpiry expiry = (id, deadline, payload, attachment) -> counts.fired++;
        final DeadlineTimerWheel.TimerHandler agronaHandler = (unit, now, id) -> {
            counts.fired++;
            return true;
        };

        /** Builds both wheels with the same tick and background. */
        @Setup(Level.Trial)
        public void setUp() {
            wheel = new TimingWheel(TICK, 0, BACKGROUND * 2);
            agrona = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, 0, TICK, 1024);
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < BACKGROUND; i++) {
                long deadline = TimeUnit.SECONDS.toNanos(100) + r.nextLong(TimeUnit.HOURS.toNanos(1));
                wheel.schedule(deadline, i, null);
                agrona.scheduleTimer(deadline);
            }
        }
    }

    /** A ticker that is never started: the benchmark thread also runs its duty cycle. */
    @State(Scope.Thread)
    public static class Inline {
        Ticker ticker;
        long farDeadline;
        long ops;

        /** Builds the ticker with the same background as the others. */
        @Setup(Level.Trial)
        public void setUp() {
            ticker = Ticker.builder("inline", Clock.system()).tickNanos(TICK).commandCapacity(1 << 12).build();
            SplittableRandom r = new SplittableRandom(7);
            long base = System.nanoTime();
            for (int i = 0; i < BACKGROUND; i++) {
                ticker.schedule(base + TimeUnit.SECONDS.toNanos(100) + r.nextLong(TimeUnit.HOURS.toNanos(1)), TARGET, i);
                if ((i & 1023) == 1023) {
                    ticker.runOnce();
                }
            }
            ticker.runOnce();
            farDeadline = base + TimeUnit.HOURS.toNanos(2);
        }
    }

    /** The ticker (started, on its own thread), the executor and Netty's timer, on real time. */
    @State(Scope.Benchmark)
    public static class Threaded {
        Ticker ticker;
        ScheduledThreadPoolExecutor executor;
        HashedWheelTimer netty;
        long farDeadline;

        /** Starts the three and gives each the same background. */
        @Setup(Level.Trial)
        public void setUp() {
            ticker = Ticker.builder("bench", Clock.system()).tickNanos(TICK).commandCapacity(1 << 16).build();
            ticker.start();
            executor = new ScheduledThreadPoolExecutor(1);
            executor.setRemoveOnCancelPolicy(true);
            netty = new HashedWheelTimer(r -> {
                Thread t = new Thread(r, "netty-timer");
                t.setDaemon(true);
                return t;
            }, TICK, TimeUnit.NANOSECONDS, 1024);
            netty.start();
            SplittableRandom r = new SplittableRandom(7);
            long base = System.nanoTime();
            for (int i = 0; i < BACKGROUND; i++) {
                long delay = TimeUnit.SECONDS.toNanos(100) + r.nextLong(TimeUnit.HOURS.toNanos(1));
                while (ticker.schedule(base + delay, TARGET, i) == Ticker.NULL_TICKET) {
                    Thread.onSpinWait();
                }
                executor.schedule(NOOP, delay, TimeUnit.NANOSECONDS);
                netty.newTimeout(NETTY_NOOP, delay, TimeUnit.NANOSECONDS);
            }
            farDeadline = base + TimeUnit.HOURS.toNanos(2);
        }

        /** Stops the three threads. */
        @TearDown(Level.Trial)
        public void tearDown() {
            ticker.close();
            executor.shutdownNow();
            netty.stop();
        }
    }

    /** This engine's wheel: schedule 10 s ahead, cancel. */
    @Benchmark
    public boolean timingWheelScheduleCancel(Wheels s) {
        return s.wheel.cancel(s.wheel.schedule(s.now + CANCEL_DELAY, 0, null));
    }

    /** Agrona's wheel: schedule 10 s ahead, cancel. */
    @Benchmark
    public boolean agronaScheduleCancel(Wheels s) {
        return s.agrona.cancelTimer(s.agrona.scheduleTimer(s.now + CANCEL_DELAY));
    }

    /** This engine's wheel: schedule 64 ticks ahead, move 1/8 tick, fire what is due. */
    @Benchmark
    public int timingWheelScheduleFire(Wheels s, TimerCounts c) {
        s.counts = c;
        s.wheel.schedule(s.now + DELAY_TICKS * TICK, 0, null);
        s.now += TICK / 8;
        return s.wheel.advance(s.now, Integer.MAX_VALUE, s.expiry);
    }

    /** Agrona's wheel: schedule 64 ticks ahead, move 1/8 tick, fire what is due. */
    @Benchmark
    public int agronaScheduleFire(Wheels s, TimerCounts c) {
        s.counts = c;
        s.agrona.scheduleTimer(s.now + DELAY_TICKS * TICK);
        s.now += TICK / 8;
        return s.agrona.poll(s.now, s.agronaHandler, Integer.MAX_VALUE);
    }

    /**
     * This engine's ticker, producer side: schedule through its JCTools queues and cancel (in place,
     * while the ticker has not drained the schedule yet). A refused command (no free record: the
     * ticker's thread is behind) is retried and counted, so the score is the rate the ticker
     * sustains, not the rate at which a full queue says no.
     */
    @Benchmark
    public long tickerScheduleCancel(Threaded s, TimerCounts c) {
        long ticket;
        while ((ticket = s.ticker.schedule(s.farDeadline, TARGET, 0)) == Ticker.NULL_TICKET) {
            c.refused++;
            Thread.onSpinWait();
        }
        while (!s.ticker.cancel(ticket)) {
            c.refused++;
            Thread.onSpinWait();
        }
        return ticket;
    }

    /**
     * This engine's ticker, both sides on one thread: schedule and cancel through the queue, and
     * every 512 ops one duty cycle applies the 1,024 commands. The whole cost of a timer through the
     * ticker, independent of how the ticker's own thread is scheduled.
     */
    @Benchmark
    public long tickerScheduleCancelInline(Inline s, TimerCounts c) {
        long ticket = s.ticker.schedule(s.farDeadline, TARGET, 0);
        if (ticket == Ticker.NULL_TICKET || !s.ticker.cancel(ticket)) {
            c.refused++;
        }
        if ((++s.ops & 511) == 0) {
            s.ticker.runOnce();
        }
        return ticket;
    }

    /** ScheduledThreadPoolExecutor (remove-on-cancel): schedule 10 s ahead, cancel. */
    @Benchmark
    public boolean executorScheduleCancel(Threaded s) {
        ScheduledFuture<?> f = s.executor.schedule(NOOP, CANCEL_DELAY, TimeUnit.NANOSECONDS);
        return f.cancel(false);
    }

    /** Netty's HashedWheelTimer: schedule 10 s ahead, cancel. */
    @Benchmark
    public boolean nettyScheduleCancel(Threaded s) {
        Timeout t = s.netty.newTimeout(NETTY_NOOP, CANCEL_DELAY, TimeUnit.NANOSECONDS);
        return t.cancel();
    }
}
