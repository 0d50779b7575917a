package dev.limiter.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts what every limiter call answered, so that no benchmark silently measures a no-op: JMH
 * reports {@code granted} and {@code denied} as secondary rates next to the primary score, and
 * the report flags an "allowed" benchmark that denied or a "denied" benchmark that granted.
 *
 * <p>One instance per benchmark thread (JMH's contract for {@link AuxCounters}); the counters are
 * public fields because JMH reads them reflectively.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Outcomes {
    /** Calls that were granted in this iteration. */
    public long granted;
    /** Calls that were refused in this iteration. */
    public long denied;

    /** Zeroes the counters before each iteration. */
    @Setup(Level.Iteration)
    public void clear() {
        granted = 0;
        denied = 0;
    }

    /** Counts one answer. */
    public void count(boolean wasGranted) {
        if (wasGranted) {
            granted++;
        } else {
            denied++;
        }
    }
}
