package dev.limiter.redis;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Differential check of the Lua ports: on generated traces, every decision of a script on a real
 * redis-server (outcome, remaining, retry-after, reset) and the key's state words afterwards equal
 * the engine kernel's on a scratch buffer, for token bucket, fixed window, sliding window and quota.
 *
 * <p>Traces cover the kernels' whole input range: limits from 1 to 2<sup>40</sup> permits and periods
 * from 1 ns to {@link Long#MAX_VALUE}, start times near both ends of the clock and across zero, time
 * steps forward, backward (stale callers) and huge, and requests for more permits than the limit.
 */
@ExtendWith(RedisServerExtension.class)
class ScriptDifferentialPropertyTest {
    static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final AtomicLong KEYS = new AtomicLong();

    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect(RedisClient client) {
        connection = client.connect();
    }

    /** A limit and a trace of requests on one key. */
    record Case(Limit limit, long start, List<Request> requests) {
    }

    /** Time moves by dt (back when {@code back}), then the key asks for permits. */
    record Request(long dt, boolean back, long permits) {
        @Override
        public String toString() {
            return (back ? "-" : "+") + dt + "ns p" + permits;
        }
    }

    /** Algorithm and outcome pairs the traces reached, so that a degenerate generator cannot pass unseen. */
    private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();

    @Test
    void everyScriptDecidesAsItsKernel() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(ScriptDifferentialPropertyTest::check);
        if (EXAMPLES >= 200) {
            for (Algorithm a : List.of(Algorithm.TOKEN_BUCKET, Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.QUOTA)) {
                for (String outcome : List.of("ALLOWED", "LIMITED", "UNSATISFIABLE")) {
                    assertTrue(REACHED.contains(a + " " + outcome), () -> "no trace reached " + a + " " + outcome + ": " + REACHED);
                }
            }
        }
    }

    static void check(Case c) {
        ManualClock clock = new ManualClock(c.start);
        KernelReference reference = new KernelReference(c.limit);
        String key = "trace-" + KEYS.incrementAndGet();
        try (RedisLimiter limiter = RedisLimiter.builder().connection(connection).clock(clock).timeout(RedisLimiterTest.PATIENT)
                .expiryGrace(Duration.ofHours(1)).limit(c.limit, TimeMode.CALLER).build()) {
            String redisKey = limiter.redisKey(c.limit.name(), key);
            long now = c.start;
            int i = 0;
            for (Request r : c.requests) {
                now = r.back ? Saturating.add(now, -r.dt) : Saturating.add(now, r.dt);
                clock.set(now);
                RedisDecision actual = limiter.acquire(c.limit.name(), key, r.permits);
                KernelReference.Step expected = reference.step(now, r.permits);
                REACHED.add(c.limit.algorithm() + " " + expected.outcome());
                String where = "request " + i + " (" + r + ") at now=" + now + " of " + c;
                assertEquals(expected, KernelReference.Step.of(actual), () -> where + "; Redis said " + actual);
                long[] words = reference.words();
                assertArrayEquals(words, stateWords(redisKey, words.length),
                        () -> where + ": state words differ; kernel " + Arrays.toString(words));
                i++;
            }
        }
    }

    /**
     * Server time: the scripts read Redis's TIME themselves, so each reply carries the time it
     * decided at, and the kernel decides at that same time. Short periods make denials, window
     * rolls and refills happen within the run.
     */
    @Test
    void serverTimeStepsDecideAsTheKernelAtTheScriptsTime() {
        Gen<Algorithm> algorithms = integers().between(0, 2).map(i -> new Algorithm[] {
            Algorithm.TOKEN_BUCKET, Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW}[i]);
        Gen<Limit> limits = algorithms.zip(longs().between(1, 20), longs().between(10_000L, 5_000_000L),
                integers().between(1, 300), integers().between(1, 8), ScriptDifferentialPropertyTest::limit);
        Gen<List<Long>> asks = lists().of(longs().between(1, 4)).ofSizeBetween(1, 30);
        Set<String> outcomes = ConcurrentHashMap.newKeySet();
        qt().withExamples(Math.max(20, EXAMPLES / 10)).forAll(limits, asks).checkAssert((limit, permits) -> {
            LimitScript script = LimitScript.forLimit(limit);
            KernelReference reference = new KernelReference(limit);
            String[] keys = {"server-trace:{" + KEYS.incrementAndGet() + "}:" + limit.name()};
            connection.sync().scriptLoad(script.source);
            for (long p : permits) {
                if (p > script.maxPermits()) {
                    continue;
                }
                List<Object> reply = connection.sync().evalsha(script.sha, io.lettuce.core.ScriptOutputType.MULTI, keys,
                        script.arguments("server", 3_600_000L, p));
                long now = Long.parseUnsignedLong((String) reply.get(1), 16);
                RedisDecision actual = script.decide(reply, p, keys[0]);
                outcomes.add(actual.outcome().name());
                assertEquals(reference.step(now, p), KernelReference.Step.of(actual),
                        () -> limit + " p" + p + " at TIME " + now + "; Redis said " + actual);
                long[] words = reference.words();
                assertArrayEquals(words, stateWords(keys[0], words.length), () -> "state words at TIME " + now);
            }
        });
        assertEquals(Set.of("ALLOWED", "LIMITED"), outcomes, "the run reached both outcomes");
    }

    /** @return the words the script stored (all zero for a missing key, as for a fresh slot) */
    static long[] stateWords(String redisKey, int count) {
        return stateWords(connection, redisKey, count);
    }

    /** @return the words the script stored, read on {@code on} */
    static long[] stateWords(StatefulRedisConnection<String, String> on, String redisKey, int count) {
        String value = on.sync().get(redisKey);
        long[] words = new long[count];
        if (value == null) {
            return words;
        }
        assertEquals(16 * count, value.length(), () -> "stored value " + value);
        for (int i = 0; i < count; i++) {
            words[i] = Long.parseUnsignedLong(value.substring(16 * i, 16 * i + 16), 16);
        }
        return words;
    }

    static Gen<Case> cases() {
        return limits().flatMap(limit -> starts().zip(requests(limit), (start, rs) -> new Case(limit, start, rs)));
    }

    /** Token-bucket, window and quota limits from tiny to huge. */
    static Gen<Limit> limits() {
        Gen<Algorithm> algorithms = integers().between(0, 3).map(i -> new Algorithm[] {
            Algorithm.TOKEN_BUCKET, Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.QUOTA}[i]);
        return algorithms.zip(permits(), periods(), integers().between(1, 300),
                integers().between(1, Limit.MAX_SUB_WINDOWS), ScriptDifferentialPropertyTest::limit);
    }

    private static Limit limit(Algorithm a, long n, long t, int burstPercent, int k) {
        switch (a) {
            case TOKEN_BUCKET:
                long burst = Math.max(1, Math.min(Limit.MAX_PERMITS, n * burstPercent / 100));
                return Limit.tokenBucket("bucket", n, Duration.ofNanos(t)).burst(burst).build();
            case FIXED_WINDOW:
                return Limit.fixedWindow("fixed", n, Duration.ofNanos(t)).build();
            case SLIDING_WINDOW:
                return Limit.slidingWindow("sliding", n, Duration.ofNanos(Math.max(t, k))).subWindows(k).build();
            default:
                return Limit.quota("quota", n).build();
        }
    }

    static Gen<Long> permits() {
        return longs().between(1, 12)
                .mix(longs().between(1, 1_000_000_000L), 25)
                .mix(longs().between((1L << 32) - 4, (1L << 32) + 4), 5)
                .mix(longs().between(1, Limit.MAX_PERMITS), 10);
    }

    static Gen<Long> periods() {
        return longs().between(1, 1_000)
                .mix(longs().between(1_000_000L, 10_000_000_000L), 40)
                .mix(longs().between(3_000_000_000_000_000_000L, Long.MAX_VALUE), 10);
    }

    /** Start times on the whole clock: zero, negative, crossing zero, near both ends, anywhere. */
    static Gen<Long> starts() {
        return longs().between(-1_000, 1_000)
                .mix(longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 1_000_000), 15)
                .mix(longs().between(Long.MAX_VALUE - 100_000_000_000L, Long.MAX_VALUE), 15)
                .mix(longs().all(), 20);
    }

    /** Time steps scaled to the limit (stalls, fractions of a permit's interval, windows, jumps). */
    static Gen<List<Request>> requests(Limit limit) {
        long t = Math.max(1, limit.periodNanos());
        long perPermit = Math.max(1, t / limit.permits());
        long most = limit.maxPermitsPerRequest();
        Gen<Long> dts = longs().between(0, 0)
                .mix(longs().between(0, Math.max(1, 2 * perPermit)), 60)
                .mix(longs().between(0, Math.max(1, Math.min(t, Long.MAX_VALUE / 4))), 20)
                .mix(longs().between(0, Long.MAX_VALUE), 5);
        Gen<Long> asks = longs().between(1, Math.min(most, 3))
                .mix(longs().between(1, most), 30)
                .mix(longs().between(most, most + 2), 5);
        Gen<Request> request = dts.zip(booleans().all().mix(booleans().all().map(b -> false), 85), asks, Request::new);
        return lists().of(request).ofSizeBetween(1, 40);
    }
}
