package dev.limiter.engine.internal.time;

import dev.limiter.Clock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Configures a {@link Ticker}; not thread-safe, used once. */
public final class TickerBuilder {
    /** Default tick: 1 ms (2^20 ns, about 1.05 ms). */
    public static final long DEFAULT_TICK_NANOS = 1L << 20;
    /** Smallest tick: 2^13 ns (about 8 us). */
    public static final long MIN_TICK_NANOS = 1L << 13;
    /** Largest tick: 2^30 ns (about 1.07 s). */
    public static final long MAX_TICK_NANOS = 1L << 30;

    final String name;
    final Clock source;
    long tickNanos = DEFAULT_TICK_NANOS;
    long staleAfterNanos = -1;
    int sampleEvery = 64;
    int commandCapacity = 1 << 14;
    int maxWorkPerCycle = 1 << 14;
    int initialTimerCapacity = 1 << 10;
    final List<Ticker.PeriodicTask> tasks = new ArrayList<>();
    final List<Long> periods = new ArrayList<>();

    TickerBuilder(String name, Clock source) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Sets the tick: the wheel's resolution and the cached clock's publication period; rounded up
     * to a power of two within [{@link #MIN_TICK_NANOS}, {@link #MAX_TICK_NANOS}].
     */
    public TickerBuilder tickNanos(long nanos) {
        long clamped = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, nanos));
        this.tickNanos = Long.highestOneBit(clamped) == clamped ? clamped : Long.highestOneBit(clamped) << 1;
        return this;
    }

    /** Sets how far behind the source a sampled cached-clock read may be (default 4 ticks). */
    public TickerBuilder staleAfterNanos(long nanos) {
        if (nanos < 1) {
            throw new IllegalArgumentException("staleAfterNanos must be positive: " + nanos);
        }
        this.staleAfterNanos = nanos;
        return this;
    }

    /** Sets the cached clock's sampling: a read checks the source with probability 1/n (power of two; 1 = always). */
    public TickerBuilder sampleEvery(int n) {
        this.sampleEvery = n;
        return this;
    }

    /**
     * Sets how many schedules may wait for the ticker at once, and cancel requests as many
     * (rounded up to a power of two): the preallocated records and requests of its queues.
     */
    public TickerBuilder commandCapacity(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("command capacity must be at least 2: " + capacity);
        }
        this.commandCapacity = capacity;
        return this;
    }

    /** Sets the wheel's budget per cycle (fired or cascaded timers plus bucket visits). */
    public TickerBuilder maxWorkPerCycle(int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be positive: " + budget);
        }
        this.maxWorkPerCycle = budget;
        return this;
    }

    /** Sets how many timers the wheel holds before its storage grows. */
    public TickerBuilder initialTimerCapacity(int capacity) {
        this.initialTimerCapacity = capacity;
        return this;
    }

    /** Registers a task run on the ticker's thread every {@code periodNanos} (first run one period after the first cycle). */
    public TickerBuilder periodic(Ticker.PeriodicTask task, long periodNanos) {
        if (periodNanos < 1) {
            throw new IllegalArgumentException("period must be positive: " + periodNanos);
        }
        tasks.add(Objects.requireNonNull(task, "task"));
        periods.add(periodNanos);
        return this;
    }

    /** @return the ticker, not started: call {@link Ticker#start()}, or drive it with {@link Ticker#runOnce()} */
    public Ticker build() {
        if (staleAfterNanos < 0) {
            staleAfterNanos = 4 * tickNanos;
        }
        return new Ticker(this);
    }
}
