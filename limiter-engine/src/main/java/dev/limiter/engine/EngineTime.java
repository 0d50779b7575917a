package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.ManualClock;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TickerBuilder;
import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicLong;

/*
 * The engine's one ticker and what it owns: the cached clock (opt-in), lease reclaim timers, and
 * the counters the engine reports.
 *
 * Driving. With a ManualClock the ticker never gets a thread: the test moves the clock and calls
 * OffHeapEngine.runTimers(), which runs duty cycles on its own thread until the wheel is caught
 * up. With any other clock the ticker's daemon thread is started at build when the cached clock
 * is on (it must publish time from the start), else by the first timer scheduled, so an engine
 * that never schedules a timer never starts a thread. close() stops it; timers still pending are
 * dropped (the limiters' memory goes with them).
 *
 * Start protocol: `started` is read with a volatile load on each schedule; the first schedule that
 * sees it false enters the synchronized start, which re-checks it. One volatile load per lease is
 * the whole cost once started.
 *
 * Eviction. The idle-key eviction sweep (OffHeapEngine.sweep, see KeySpace) is a periodic task on
 * this ticker, every SWEEP_TICKS ticks, registered here at build. Its slices are short and frequent
 * (IdleKeyEviction.SWEEP_CHUNKS chunks every tick) rather than long and rare: a slice runs on the
 * ticker's thread, and a timer that falls due during it fires only after it, so its length is
 * lateness that every such timer pays. It runs whenever the ticker runs
 * (its thread, or runTimers with a ManualClock); eviction never starts the thread by itself, since
 * key tables also rotate on the calls that fill them.
 */
final class EngineTime {
    private static final AtomicLong ENGINES = new AtomicLong();
    /** Ticks between two runs of the eviction sweep. */
    static final long SWEEP_TICKS = 1;

    private final Ticker ticker;
    private final boolean manual;
    private final Clock clock;
    private final Histogram lateness = new Histogram(2);
    private final AtomicLong reclaimed = new AtomicLong();
    private volatile boolean started;

    /**
     * @param source the engine's clock
     * @param cachedTickNanos the cached clock's tick, or 0 for no cached clock (default 1 ms tick)
     * @param sweep the eviction sweep, run every SWEEP_TICKS ticks
     */
    EngineTime(Clock source, long cachedTickNanos, Ticker.PeriodicTask sweep) {
        this.manual = source instanceof ManualClock;
        long tick = cachedTickNanos > 0 ? cachedTickNanos : TickerBuilder.DEFAULT_TICK_NANOS;
        this.ticker = Ticker.builder("engine-" + ENGINES.incrementAndGet(), source)
                .tickNanos(tick)
                .periodic(sweep, SWEEP_TICKS * tick)
                .build();
        this.clock = cachedTickNanos > 0 ? ticker.cachedClock() : source;
        if (cachedTickNanos > 0) {
            if (manual) {
                ticker.runOnce();                        // publish the manual clock's reading at once
            } else {
                start();
            }
        }
    }

    /** @return the clock the engine reads: the ticker's cached clock when opted in, else the source */
    Clock clock() {
        return clock;
    }

    /**
     * Schedules {@code target} at {@code deadlineNanos}; lock-free, allocation-free once started.
     *
     * @return the ticket, or {@link Ticker#NULL_TICKET} when the ticker's queue is full or the engine closed
     */
    long schedule(long deadlineNanos, Ticker.TimerTarget target, long payload) {
        if (!started && !manual) {
            start();
        }
        return ticker.schedule(deadlineNanos, target, payload);
    }

    void cancel(long ticket) {
        ticker.cancel(ticket);
    }

    private synchronized void start() {
        if (!started && !ticker.isClosed()) {
            ticker.start();
            started = true;
        }
    }

    /** Runs duty cycles on the caller's thread until no due timer is left; manual clocks only. */
    int runTimers() {
        if (!manual) {
            throw new IllegalStateException("the engine's timers run on their own thread; runTimers() is for an "
                    + "engine built on a ManualClock");
        }
        int work = 0;
        do {
            work += ticker.runOnce();
        } while (ticker.behind());
        return work;
    }

    void leaseReclaimed() {
        reclaimed.incrementAndGet();
    }

    long reclaimedLeases() {
        return reclaimed.get();
    }

    int pendingTimers() {
        return ticker.pendingTimers() + ticker.queuedCommands();
    }

    long tickNanos() {
        return ticker.tickNanos();
    }

    /** @return the timer lateness (ns) at {@code percentile} over every timer fired so far */
    synchronized long latenessNanos(double percentile) {
        if (!(percentile >= 0.0 && percentile <= 100.0)) {
            throw new IllegalArgumentException("percentile must be within [0, 100], was " + percentile);
        }
        lateness.add(ticker.latenessSinceLastRead());
        return lateness.getTotalCount() == 0 ? 0L : lateness.getValueAtPercentile(percentile);
    }

    void close() {
        ticker.close();
    }
}
