package dev.limiter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to; thread-safe, for tests and simulations.
 *
 * <p>It may be set to any value, including negative ones and values near {@link Long#MAX_VALUE},
 * so that edge clocks can be tested. {@link #advance(long)} saturates instead of wrapping.
 */
public final class ManualClock implements Clock {
    private final AtomicLong now;

    /** Starts at {@code 0}. */
    public ManualClock() {
        this(0L);
    }

    /** @param startNanos the initial reading */
    public ManualClock(long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Sets the reading, backwards too (to test a clock that jumps). */
    public void set(long nanos) {
        now.set(nanos);
    }

    /**
     * Moves the clock forward by {@code nanos} (saturating at {@link Long#MAX_VALUE}).
     *
     * @return the new reading
     */
    public long advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("cannot advance by a negative amount: " + nanos);
        }
        return now.accumulateAndGet(nanos, (current, delta) -> {
            long sum = current + delta;
            return ((current ^ sum) & (delta ^ sum)) < 0 ? Long.MAX_VALUE : sum;
        });
    }

    /** @see #advance(long) */
    public long advance(Duration duration) {
        return advance(duration.toNanos());
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "ns]";
    }
}
