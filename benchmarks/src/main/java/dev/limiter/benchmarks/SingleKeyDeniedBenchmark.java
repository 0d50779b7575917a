package dev.limiter.benchmarks;

import dev.limiter.engine.OffHeapEngine;

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
 * Question: what does one refused acquire cost on a single key whose limit is reached and stays
 * reached (the rejection path)?
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
 * java -jar benchmarks/target/benchmarks.jar SingleKeyDeniedBenchmark -t 1 -prof gc -rf json -rff denied-t1.json
 * java -jar benchmarks/target/benchmarks.jar SingleKeyDeniedBenchmark -t 2 -prof gc -rf json -rff denied-t2.json
 * </pre>
 * The rejection target is stated for {@code -t 1}; {@code -t 2} shows the same path under
 * contention. Fork count and heap flags are fixed here so every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class SingleKeyDeniedBenchmark {

    /** Every library's limiter on one key, built in the denied setting and shared by all threads. */
    @State(Scope.Benchmark)
    public static class Denied extends SingleKeyContenders {
        /** Builds the limiters. */
        @Setup(Level.Trial)
        public void setUp() {
            open(Contenders.Setting.DENIED);
        }

        /** Frees the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    /** This engine alone, on its opt-in cached clock (a 1 ms ticker publishes the time), key drained. */
    @State(Scope.Benchmark)
    public static class DeniedCached {
        OffHeapEngine engine;
        dev.limiter.RateLimiter limiter;

        /** Builds the engine and drains the key. */
        @Setup(Level.Trial)
        public void setUp() {
            engine = Contenders.cachedClockEngine(Contenders.Setting.DENIED, 1024);
            limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
            Contenders.drain(limiter, SingleKeyContenders.KEY);
        }

        /** Stops the engine's ticker and frees it. */
        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }
    }

    /** This engine, keyed API, reading its own clock. */
    @Benchmark
    public void engineOwnClock(Denied s, Outcomes o) {
        o.count(s.limiter.tryAcquire(SingleKeyContenders.KEY));
    }

    /** This engine, keyed API, reading its opt-in cached clock. */
    @Benchmark
    public void engineCachedClock(DeniedCached s, Outcomes o) {
        o.count(s.limiter.tryAcquire(SingleKeyContenders.KEY));
    }

    /** This engine, keyed API, "now" passed in by the caller. */
    @Benchmark
    public void engineNowPassed(Denied s, PassedNow now, Outcomes o) {
        o.count(s.limiter.tryAcquire(SingleKeyContenders.KEY, 1, now.next()));
    }

    /** This engine through a pre-resolved handle, reading its own clock. */
    @Benchmark
    public void engineHandle(Denied s, Outcomes o) {
        o.count(s.handle.tryAcquire());
    }

    /** This engine through a pre-resolved handle, "now" passed in. */
    @Benchmark
    public void engineHandleNowPassed(Denied s, PassedNow now, Outcomes o) {
        o.count(s.handle.tryAcquire(1, now.next()));
    }

    /** Bucket4j, lock-free strategy (its default). */
    @Benchmark
    public void bucket4jLockFree(Denied s, Outcomes o) {
        o.count(s.bucket4jLockFree.tryConsume(1));
    }

    /** Bucket4j, synchronized strategy. */
    @Benchmark
    public void bucket4jSynchronized(Denied s, Outcomes o) {
        o.count(s.bucket4jSynchronized.tryConsume(1));
    }

    /** Resilience4j AtomicRateLimiter, zero timeout. */
    @Benchmark
    public void resilience4j(Denied s, Outcomes o) {
        o.count(s.resilience4j.acquirePermission());
    }

    /** Guava RateLimiter, non-blocking tryAcquire. */
    @Benchmark
    public void guava(Denied s, Outcomes o) {
        o.count(s.guava.tryAcquire());
    }
}
