package dev.limiter.benchmarks;

import dev.limiter.LimitHandle;
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

import java.util.concurrent.TimeUnit;

/**
 * Question: what does a granted acquire on one hot key cost through a leased handle
 * ({@code RateLimiter.leasedHandle}: each thread grants from its own lease of the key's slots), next
 * to the plain keyed acquire and handle of {@link SingleKeyAllowedBenchmark}? Same limiter, same
 * setting (allowed); the lease spans {@link #LEASE} permits, a millisecond of this limit's slots.
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'HotKeyLeaseBenchmark|SingleKeyAllowedBenchmark.(engineOwnClock|resilience4j)' -t 2 -prof gc
 * </pre>
 * The 2-thread figure is the total of both threads. Fork count and heap flags are fixed here so
 * every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class HotKeyLeaseBenchmark {
    /** Permits per lease: a millisecond of slots at the allowed setting's 10^9 permits per second. */
    public static final long LEASE = 1_000_000;

    /** The engine on one key, with a leased handle shared by all threads. */
    @State(Scope.Benchmark)
    public static class Hot extends SingleKeyContenders {
        /** The leased handle on {@link SingleKeyContenders#KEY}. */
        public LimitHandle leased;

        /** Builds the limiters and the handle. */
        @Setup(Level.Trial)
        public void setUp() {
            open(Contenders.Setting.ALLOWED);
            leased = limiter.leasedHandle(KEY, LEASE);
        }

        /** Frees the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    /** Through the leased handle, reading the clock. */
    @Benchmark
    public void engineLeasedHandle(Hot s, Outcomes o) {
        o.count(s.leased.tryAcquire());
    }

    /** Through the leased handle, "now" passed in. */
    @Benchmark
    public void engineLeasedHandleNowPassed(Hot s, PassedNow now, Outcomes o) {
        o.count(s.leased.tryAcquire(1, now.next()));
    }
}
