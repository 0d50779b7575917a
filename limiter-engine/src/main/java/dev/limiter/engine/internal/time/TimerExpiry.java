package dev.limiter.engine.internal.time;

/** Receives each timer that fires, after its slot is freed (so it may schedule again). */
@FunctionalInterface
public interface TimerExpiry {
    /**
     * Called once per fired timer.
     *
     * @param timerId the id {@link TimingWheel#schedule} returned
     * @param deadlineNanos the deadline it was scheduled for
     * @param payload the caller's payload (for example an index into the caller's array)
     * @param attachment the caller's attachment, or null
     */
    void expired(long timerId, long deadlineNanos, long payload, Object attachment);
}
