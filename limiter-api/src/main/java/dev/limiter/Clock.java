package dev.limiter;

/**
 * A source of monotonic time in nanoseconds; every limiter reads time only through one.
 *
 * <p>Values have no relation to wall-clock time and may be negative; only differences are
 * meaningful, exactly as with {@link System#nanoTime()}. Implementations must be thread-safe.
 * Tests replace the system clock with a {@link ManualClock} so that no test sleeps.
 */
@FunctionalInterface
public interface Clock {

    /** @return the current time in nanoseconds, never decreasing between two calls on one thread */
    long nanoTime();

    /** @return the clock backed by {@link System#nanoTime()} */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

/** The JVM's monotonic clock. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
