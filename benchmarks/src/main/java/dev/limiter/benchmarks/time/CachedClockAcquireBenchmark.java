package dev.limiter.benchmarks.time;

import dev.limiter.Limit;
import dev.limiter.RateLimiter;
import dev.limiter.benchmarks.Contenders;
import dev.limiter.benchmarks.Outcomes;
import dev.limiter.benchmarks.SingleKeyContenders;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.engine.internal.time.CachedClock;
import dev.limiter.engine.internal.time.Ticker;
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
 * Question: what does reading a ticker-published {@link CachedClock} instead of
 * {@code System.nanoTime()} save on one granted acquire, and what does one clock read cost?
 *
 * <p>{@code engineSystemClock} is the engine exactly as {@link Contenders#engine} builds it (the
 * like-for-like figure of {@code SingleKeyAllowedBenchmark.engineOwnClock});
 * {@code engineCachedClock} is the same limit on an engine whose clock is the cached clock of a
 * started 1 ms ticker (sampling the real clock on 1 read in 64). The two floors are one read of
 * each clock. Allowed setting: every call must be granted ({@link Outcomes}).
 *
 * <p>Run (after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'time.CachedClockAcquireBenchmark' -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class CachedClockAcquireBenchmark {

    /** Two engines with the allowed limit: one on the system clock, one on a cached clock. */
    @State(Scope.Benchmark)
    public static class Engines {
        Ticker ticker;
        CachedClock cached;
        OffHeapEngine system;
        OffHeapEngine onCached;
        RateLimiter systemLimiter;
        RateLimiter cachedLimiter;

        /** Starts the ticker and builds both engines. */
        @Setup(Level.Trial)
        public void setUp() {
            ticker = Ticker.builder("bench", dev.limiter.Clock.system()).build();
            ticker.start();
            cached = ticker.cachedClock();
            system = Contenders.engine(Contenders.Setting.ALLOWED, 1024);
            Limit limit = Limit.tokenBucket(Contenders.LIMIT_NAME, Contenders.ALLOWED_PERMITS, Contenders.ALLOWED_PERIOD).build();
            onCached = OffHeapEngine.builder().clock(cached).longKeysOnly().limit(limit, 1024).build();
            systemLimiter = system.rateLimiter(Contenders.LIMIT_NAME);
            cachedLimiter = onCached.rateLimiter(Contenders.LIMIT_NAME);
        }

        /** Stops the ticker and frees both engines. */
        @TearDown(Level.Trial)
        public void tearDown() {
            ticker.close();
            system.close();
            onCached.close();
        }
    }

    /** The engine reading System.nanoTime(). */
    @Benchmark
    public void engineSystemClock(Engines s, Outcomes o) {
        o.count(s.systemLimiter.tryAcquire(SingleKeyContenders.KEY));
    }

    /** The engine reading the cached clock. */
    @Benchmark
    public void engineCachedClock(Engines s, Outcomes o) {
        o.count(s.cachedLimiter.tryAcquire(SingleKeyContenders.KEY));
    }

    /** Floor: one System.nanoTime() read. */
    @Benchmark
    public long systemNanoTime() {
        return System.nanoTime();
    }

    /** Floor: one cached-clock read. */
    @Benchmark
    public long cachedNanoTime(Engines s) {
        return s.cached.nanoTime();
    }
}
