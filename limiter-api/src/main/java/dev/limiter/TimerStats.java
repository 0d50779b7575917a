package dev.limiter;

/**
 * What an engine that runs timers (lease reclaim, asynchronous waits) reports about them, for
 * metrics. Engines without timers do not implement it. Reads are safe from any thread and may lag
 * the timers' thread slightly.
 */
public interface TimerStats {

    /** @return timers scheduled and neither fired nor cancelled yet */
    int pendingTimers();

    /** @return leases reclaimed by their timer because they were held past their maximum hold time */
    long reclaimedLeases();

    /**
     * @param percentile within [0, 100], for example 99.0
     * @return how late, in nanoseconds, timers fired at that percentile, over every timer fired so
     *     far (0 before the first)
     */
    long timerLatenessNanos(double percentile);
}
