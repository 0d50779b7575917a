package dev.limiter.benchmarks.time;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts what every timer operation did, so that no timer benchmark silently measures a no-op:
 * JMH reports {@code fired} and {@code refused} as secondary rates next to the primary score.
 *
 * <p>One instance per benchmark thread (JMH's contract for {@link AuxCounters}); public fields
 * because JMH reads them reflectively.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class TimerCounts {
    /** Timers fired in this iteration (schedule-and-fire benchmarks). */
    public long fired;
    /** Commands a bounded queue refused in this iteration (should stay 0). */
    public long refused;

    /** Zeroes the counters before each iteration. */
    @Setup(Level.Iteration)
    public void clear() {
        fired = 0;
        refused = 0;
    }
}
