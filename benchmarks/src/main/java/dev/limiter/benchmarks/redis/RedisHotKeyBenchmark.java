package dev.limiter.benchmarks.redis;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.RateLimiter;
import dev.limiter.benchmarks.Outcomes;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.redis.FleetLimiter;
import dev.limiter.redis.RedisLimiter;
import dev.limiter.redis.TimeMode;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Question: how many decisions per second does one instance make on a hot key whose limit lives in
 * a local Redis, with local permit leasing, without it (one EVALSHA per decision), and with
 * Bucket4j's Lettuce backend (compare-and-swap, round trips per decision); and how close does
 * leasing come to the local off-heap engine on the same key?
 *
 * <p>The benchmark starts its own redis-server ({@link LocalRedisServer}) on 127.0.0.1. The limit is
 * never reached (10<sup>12</sup> per hour), so every call is a grant: leasing grants from batches of
 * up to 65,536 permits in Redis's current window (SERVER time); Bucket4j's bucket has the same
 * capacity and refill. Blocking calls, one thread (decisions/s per instance).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RedisHotKeyBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class RedisHotKeyBenchmark {
    static final String KEY = "hot";
    static final long PERMITS = 1_000_000_000_000L;
    static final Duration PERIOD = Duration.ofHours(1);
    /** 65,536 of 10^12 per window: the under-admission bound (2 batches per instance) is 10^-7 of N. */
    static final long MAX_BATCH = 65_536;

    /** One Redis, and every contender built on it. */
    @State(Scope.Benchmark)
    public static class Contenders {
        LocalRedisServer server;
        RedisClient client;
        RedisLimiter redis;
        FleetLimiter leased;
        FleetLimiter direct;
        StatefulRedisConnection<String, byte[]> bucket4jConnection;
        BucketProxy bucket4j;
        OffHeapEngine engine;
        RateLimiter local;

        /** Starts Redis and builds the contenders. */
        @Setup(Level.Trial)
        public void setUp() {
            server = LocalRedisServer.start();
            client = RedisClient.create(server.uri());
            redis = RedisLimiter.builder().client(client)
                    .limit(Limit.fixedWindow("leased", PERMITS, PERIOD).build(), TimeMode.SERVER)
                    .limit(Limit.fixedWindow("direct", PERMITS, PERIOD).build(), TimeMode.SERVER).build();
            leased = FleetLimiter.builder(redis).lease("leased", MAX_BATCH).build();
            direct = FleetLimiter.builder(redis).build();
            bucket4jConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(PERMITS).refillGreedy(PERMITS, PERIOD).build()).build();
            bucket4j = Bucket4jLettuce.casBasedBuilder(bucket4jConnection).build().builder()
                    .build("bucket4j:" + KEY, () -> configuration);
            engine = OffHeapEngine.builder().clock(Clock.system())
                    .limit(Limit.fixedWindow("local", PERMITS, PERIOD).build(), 1024).build();
            local = engine.rateLimiter("local");
        }

        /** Stops everything. */
        @TearDown(Level.Trial)
        public void tearDown() {
            leased.close();
            direct.close();
            redis.close();
            bucket4jConnection.close();
            client.shutdown();
            engine.close();
            server.close();
        }
    }

    /** Leasing: grants from a local batch, a reservation round trip per batch. */
    @Benchmark
    public void leased(Contenders c, Outcomes o) {
        o.count(c.leased.tryAcquire("leased", KEY, 1));
    }

    /** No leasing: one EVALSHA round trip per decision. */
    @Benchmark
    public void direct(Contenders c, Outcomes o) {
        o.count(c.direct.tryAcquire("direct", KEY, 1));
    }

    /** Bucket4j's Lettuce backend: compare-and-swap on the bucket's state, round trips per decision. */
    @Benchmark
    public void bucket4jLettuce(Contenders c, Outcomes o) {
        o.count(c.bucket4j.tryConsume(1));
    }

    /** The local off-heap engine on the same limit shape: the ceiling leasing is measured against. */
    @Benchmark
    public void localOffHeap(Contenders c, Outcomes o) {
        o.count(c.local.tryAcquire(KEY));
    }
}
