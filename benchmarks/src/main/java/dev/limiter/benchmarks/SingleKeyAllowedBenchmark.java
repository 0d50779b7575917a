package dev.limiter.benchmarks;

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
 * Question: what does one granted acquire cost on a single key whose rate is never reached, on 1
 * thread and with 2 threads contending on the key?
 *
 * <p>Each method makes one {@code tryAcquire(1)} on one key of one limiter shared by all threads
 * and counts the answer in {@link Outcomes}. The engine is measured four ways: reading its own
 * clock through the keyed API ({@code engineOwnClock}, the like-for-like comparison), with "now"
 * passed in from {@link PassedNow} ({@code engineNowPassed}: one clock read shared by several
 * rules of a request), and through a pre-resolved handle, with and without its own clock.
 * Baselines: Bucket4j lock-free and synchronized, Resilience4j {@code AtomicRateLimiter}, Guava
 * {@code RateLimiter}, all configured in {@link Contenders}; {@link FloorsBenchmark} holds the
 * physical floors ({@code System.nanoTime()}, one CAS).
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SingleKeyAllowedBenchmark -t 1 -prof gc -rf json -rff allowed-t1.json
 * java -jar benchmarks/target/benchmarks.jar SingleKeyAllowedBenchmark -t 2 -prof gc -rf json -rff allowed-t2.json
 * </pre>
 * Run with {@code -t 1} and {@code -t 2}: the 2-thread figure is the total of both threads. Fork
 * count and heap flags are fixed here so every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class SingleKeyAllowedBenchmark {

    /** Every library's limiter on one key, built in the allowed setting and shared by all threads. */
    @State(Scope.Benchmark)
    public static class Allowed extends SingleKeyContenders {
        /** Builds the limiters. */
        @Setup(Level.Trial)
        public void setUp() {
            open(Contenders.Setting.ALLOWED);
        }

        /** Frees the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    /** This engine, keyed API, reading its own clock. */
    @Benchmark
    public void engineOwnClock(Allowed s, Outcomes o) {
        o.count(s.limiter.tryAcquire(SingleKeyContenders.KEY));
    }

    /** This engine, keyed API, "now" passed in by the caller. */
    @Benchmark
    public void engineNowPassed(Allowed s, PassedNow now, Outcomes o) {
        o.count(s.limiter.tryAcquire(SingleKeyContenders.KEY, 1, now.next()));
    }

    /** This engine through a pre-resolved handle, reading its own clock. */
    @Benchmark
    public void engineHandle(Allowed s, Outcomes o) {
        o.count(s.handle.tryAcquire());
    }

    /** This engine through a pre-resolved handle, "now" passed in. */
    @Benchmark
    public void engineHandleNowPassed(Allowed s, PassedNow now, Outcomes o) {
        o.count(s.handle.tryAcquire(1, now.next()));
    }

    /** Bucket4j, lock-free strategy (its default). */
    @Benchmark
    public void bucket4jLockFree(Allowed s, Outcomes o) {
        o.count(s.bucket4jLockFree.tryConsume(1));
    }

    /** Bucket4j, synchronized strategy. */
    @Benchmark
    public void bucket4jSynchronized(Allowed s, Outcomes o) {
        o.count(s.bucket4jSynchronized.tryConsume(1));
    }

    /** Resilience4j AtomicRateLimiter, zero timeout. */
    @Benchmark
    public void resilience4j(Allowed s, Outcomes o) {
        o.count(s.resilience4j.acquirePermission());
    }

    /** Guava RateLimiter, non-blocking tryAcquire. */
    @Benchmark
    public void guava(Allowed s, Outcomes o) {
        o.count(s.guava.tryAcquire());
    }
}
