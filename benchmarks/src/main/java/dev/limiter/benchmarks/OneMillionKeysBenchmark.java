package dev.limiter.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.limiter.engine.OffHeapEngine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
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

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Question: what does one acquire cost when keys are drawn at random from 1,000,000 distinct ids,
 * as a gateway sees its callers, on 1 and 2 threads?
 *
 * <p>Keys come from the precomputed {@link KeyStream}. This engine uses its keyed API on a table
 * of capacity 1M ({@code engineOwnClock}; {@code engineNowPassed} with "now" from
 * {@link PassedNow}). Each competitor runs in its users' usual setup: a
 * {@code ConcurrentHashMap<Long, limiter>} filled with {@code computeIfAbsent}, which boxes the
 * key on every call. Every key is created during setup, so the measurement is of lookups plus
 * acquires, not of insertions. All setups are in the allowed setting ({@link Contenders}).
 * The floors to compare with (random read over an array the size of the engine's table, and a
 * map lookup over 1M keys) are in {@link FloorsBenchmark}.
 *
 * <p>Only the benchmark being run is populated (the state checks the benchmark name), so one
 * fork holds one library's million limiters.
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar OneMillionKeysBenchmark -t 1 -prof gc -rf json -rff 1m-t1.json
 * java -jar benchmarks/target/benchmarks.jar OneMillionKeysBenchmark -t 2 -prof gc -rf json -rff 1m-t2.json
 * </pre>
 * Fork count and heap flags are fixed here so every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class OneMillionKeysBenchmark {

    /** The key stream and one library's million limiters, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Keys {
        /** The ids and the stream of draws. */
        public KeyStream keys;
        /** This engine (engine benchmarks only). */
        public OffHeapEngine engine;
        /** This engine's limiter over 1M keys. */
        public dev.limiter.RateLimiter limiter;
        /** Bucket4j lock-free buckets by key. */
        public ConcurrentHashMap<Long, Bucket> bucket4jLockFree;
        /** Bucket4j synchronized buckets by key. */
        public ConcurrentHashMap<Long, Bucket> bucket4jSynchronized;
        /** Resilience4j limiters by key. */
        public ConcurrentHashMap<Long, AtomicRateLimiter> resilience4j;
        /** Guava limiters by key. */
        public ConcurrentHashMap<Long, RateLimiter> guava;

        /** Builds the stream and populates the structures the running benchmark needs. */
        @Setup(Level.Trial)
        public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) {
            keys = new KeyStream(KeyStream.KEYS);
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            populate(method);
        }

        /** Creates every key in the structure {@code method} uses; package-visible for the sanity check. */
        void populate(String method) {
            long[] ids = keys.ids();
            if (method.startsWith("engine")) {
                engine = method.equals("engineCachedClock")
                        ? Contenders.cachedClockEngine(Contenders.Setting.ALLOWED, KeyStream.KEYS)
                        : Contenders.engine(Contenders.Setting.ALLOWED, KeyStream.KEYS);
                limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
                for (long id : ids) {
                    limiter.tryAcquire(id);
                }
            } else if (method.equals("bucket4jLockFree")) {
                bucket4jLockFree = fill(ids, id -> BUCKETS_LOCK_FREE.create());
            } else if (method.equals("bucket4jSynchronized")) {
                bucket4jSynchronized = fill(ids, id -> BUCKETS_SYNCHRONIZED.create());
            } else if (method.equals("resilience4j")) {
                resilience4j = fill(ids, id -> newResilience4j());
            } else if (method.equals("guava")) {
                guava = fill(ids, id -> newGuava());
            } else {
                throw new IllegalArgumentException("no setup for " + method);
            }
        }

        private static <V> ConcurrentHashMap<Long, V> fill(long[] ids, java.util.function.Function<Long, V> make) {
            ConcurrentHashMap<Long, V> map = new ConcurrentHashMap<>();
            for (long id : ids) {
                map.computeIfAbsent(id, make);
            }
            return map;
        }

        /** Frees the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (engine != null) {
                engine.close();
            }
        }
    }

    /** Each thread's position in the key stream. */
    @State(Scope.Thread)
    public static class Cursor {
        /** The position. */
        public KeyStream.Cursor at;

        /** Starts the thread at its own offset. */
        @Setup(Level.Trial)
        public void setUp(Keys k) {
            at = new KeyStream.Cursor(k.keys, Thread.currentThread().getId());
        }
    }

    /** Makes per-key limiters the way a user of each library would, sharing one configuration. */
    private static final class BucketFactory {
        private final Bandwidth bandwidth = Contenders.bandwidth(Contenders.Setting.ALLOWED);
        private final SynchronizationStrategy strategy;

        BucketFactory(SynchronizationStrategy strategy) {
            this.strategy = strategy;
        }

        Bucket create() {
            return Contenders.bucket4j(bandwidth, strategy);
        }
    }

    private static final BucketFactory BUCKETS_LOCK_FREE = new BucketFactory(SynchronizationStrategy.LOCK_FREE);
    private static final BucketFactory BUCKETS_SYNCHRONIZED = new BucketFactory(SynchronizationStrategy.SYNCHRONIZED);
    private static final RateLimiterConfig RESILIENCE4J = Contenders.resilience4jConfig(Contenders.Setting.ALLOWED);
    private static final double GUAVA_RATE = Contenders.guavaRate(Contenders.Setting.ALLOWED);

    static AtomicRateLimiter newResilience4j() {
        return new AtomicRateLimiter("bench", RESILIENCE4J);
    }

    static RateLimiter newGuava() {
        return RateLimiter.create(GUAVA_RATE);
    }

    static Bucket newBucket4jLockFree() {
        return BUCKETS_LOCK_FREE.create();
    }

    static Bucket newBucket4jSynchronized() {
        return BUCKETS_SYNCHRONIZED.create();
    }

    /** This engine's keyed API, reading its own clock. */
    @Benchmark
    public void engineOwnClock(Keys k, Cursor c, Outcomes o) {
        o.count(k.limiter.tryAcquire(c.at.next()));
    }

    /** This engine's keyed API on its opt-in cached clock (a 1 ms ticker publishes the time). */
    @Benchmark
    public void engineCachedClock(Keys k, Cursor c, Outcomes o) {
        o.count(k.limiter.tryAcquire(c.at.next()));
    }

    /** This engine's keyed API, "now" passed in. */
    @Benchmark
    public void engineNowPassed(Keys k, Cursor c, PassedNow now, Outcomes o) {
        o.count(k.limiter.tryAcquire(c.at.next(), 1, now.next()));
    }

    /** Bucket4j lock-free in a map. */
    @Benchmark
    public void bucket4jLockFree(Keys k, Cursor c, Outcomes o) {
        o.count(k.bucket4jLockFree.computeIfAbsent(c.at.next(), id -> newBucket4jLockFree()).tryConsume(1));
    }

    /** Bucket4j synchronized in a map. */
    @Benchmark
    public void bucket4jSynchronized(Keys k, Cursor c, Outcomes o) {
        o.count(k.bucket4jSynchronized.computeIfAbsent(c.at.next(), id -> newBucket4jSynchronized()).tryConsume(1));
    }

    /** Resilience4j in a map. */
    @Benchmark
    public void resilience4j(Keys k, Cursor c, Outcomes o) {
        o.count(k.resilience4j.computeIfAbsent(c.at.next(), id -> newResilience4j()).acquirePermission());
    }

    /** Guava in a map. */
    @Benchmark
    public void guava(Keys k, Cursor c, Outcomes o) {
        o.count(k.guava.computeIfAbsent(c.at.next(), id -> newGuava()).tryAcquire());
    }
}
