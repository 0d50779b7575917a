package dev.limiter.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The "now" handed to the engine in the now-passed variants: a per-thread counter advanced by one
 * nanosecond per call and re-synchronised with {@link System#nanoTime()} before each iteration.
 *
 * <p>It models a gateway that reads the clock once per request and evaluates several rules with
 * that one reading: the clock's cost is then shared by the rules, and what remains per rule is the
 * engine's own work, which is what these variants measure. Advancing by 1 ns per call keeps the
 * token bucket's theoretical arrival time within its one-second burst of the counter (the counter
 * falls behind real time, never ahead of it), so the allowed setting stays allowed.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own instance.
 */
@State(Scope.Thread)
public class PassedNow {
    private long nanos;

    /** Re-reads the real clock once per iteration. */
    @Setup(Level.Iteration)
    public void sync() {
        nanos = System.nanoTime();
    }

    /** @return the next "now" */
    public long next() {
        return ++nanos;
    }
}
