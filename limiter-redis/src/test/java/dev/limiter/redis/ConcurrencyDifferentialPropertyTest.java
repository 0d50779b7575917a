package dev.limiter.redis;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
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
 * Differential check of {@code concurrency.lua}: on generated traces of acquires and releases, every
 * decision, every lease's generation, whether a release gave permits back, and the state words
 * equal the engine's concurrency kernel on a scratch buffer.
 */
@ExtendWith(RedisServerExtension.class)
class ConcurrencyDifferentialPropertyTest {
    private static final AtomicLong KEYS = new AtomicLong();
    private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect(RedisClient client) {
        connection = client.connect();
    }

    /** Time moves by dt (back when {@code back}); then an acquire of permits, or a release of held lease {@code pick}. */
    record Op(long dt, boolean back, boolean release, long permits, int pick) {
        @Override
        public String toString() {
            return (back ? "-" : "+") + dt + "ns " + (release ? "release #" + pick : "acquire p" + permits);
        }
    }

    record Case(Limit limit, long start, List<Op> ops) {
    }

    private record Held(RedisLease lease, long token) {
    }

    @Test
    void concurrencyScriptDecidesAsItsKernel() {
        Gen<Limit> limits = longs().between(1, 5).mix(longs().between(1, ConcurrencyScript.MAX_IN_FLIGHT), 30)
                .zip(ScriptDifferentialPropertyTest.periods(),
                        (n, h) -> Limit.concurrency("leases", n, Duration.ofNanos(h)).build());
        Gen<Case> cases = limits.flatMap(limit -> ScriptDifferentialPropertyTest.starts()
                .zip(ops(limit), (start, ops) -> new Case(limit, start, ops)));
        qt().withExamples(ScriptDifferentialPropertyTest.EXAMPLES).forAll(cases)
                .checkAssert(ConcurrencyDifferentialPropertyTest::check);
        if (ScriptDifferentialPropertyTest.EXAMPLES >= 200) {
            for (String reached : List.of("ALLOWED", "LIMITED", "UNSATISFIABLE", "released", "not released")) {
                assertTrue(REACHED.contains(reached), () -> "no trace reached " + reached + ": " + REACHED);
            }
        }
    }

    private static Gen<List<Op>> ops(Limit limit) {
        long h = limit.maxHoldNanos();
        long n = limit.permits();
        Gen<Long> dts = longs().between(0, 0)
                .mix(longs().between(0, Math.max(1, h / 2)), 50)
                .mix(longs().between(0, Math.max(1, Math.min(3 * (h / 2), Long.MAX_VALUE / 4))), 30)
                .mix(longs().between(0, Long.MAX_VALUE), 5);
        Gen<Long> asks = longs().between(1, Math.min(n, 3)).mix(longs().between(1, n), 30).mix(longs().between(n, n + 1), 5);
        Gen<Op> op = dts.zip(booleans().all().mix(booleans().all().map(b -> false), 85), booleans().all(), asks,
                integers().between(0, 1000), Op::new);
        return lists().of(op).ofSizeBetween(1, 40);
    }

    private static void check(Case c) {
        ManualClock clock = new ManualClock(c.start);
        KernelReference reference = new KernelReference(c.limit);
        String key = "leases-" + KEYS.incrementAndGet();
        List<Held> held = new ArrayList<>();
        try (RedisLimiter limiter = RedisLimiter.builder().connection(connection).clock(clock).timeout(RedisLimiterTest.PATIENT)
                .expiryGrace(Duration.ofHours(1)).limit(c.limit, TimeMode.CALLER).build()) {
            String redisKey = limiter.redisKey(c.limit.name(), key);
            long now = c.start;
            int i = 0;
            for (Op op : c.ops) {
                now = op.back ? Saturating.add(now, -op.dt) : Saturating.add(now, op.dt);
                clock.set(now);
                String where = "op " + i++ + " (" + op + ") at now=" + now + " of " + c;
                if (op.release && !held.isEmpty()) {
                    Held h = held.remove(op.pick % held.size());
                    long[] before = reference.words();
                    reference.release(h.token, h.lease.permits(), now);
                    boolean expected = !Arrays.equals(before, reference.words());
                    REACHED.add(expected ? "released" : "not released");
                    assertEquals(expected, limiter.releaseAsync(h.lease).toCompletableFuture().join(), where);
                } else {
                    RedisDecision actual = limiter.acquire(c.limit.name(), key, op.permits);
                    KernelReference.Step expected = reference.step(now, op.permits);
                    REACHED.add(expected.outcome());
                    assertEquals(expected, KernelReference.Step.of(actual), () -> where + "; Redis said " + actual);
                    if (actual.allowed()) {
                        RedisLease lease = actual.lease().orElseThrow();
                        assertEquals(reference.lastToken() ^ Long.MIN_VALUE, lease.generation(), where);
                        held.add(new Held(lease, reference.lastToken()));
                    }
                }
                long[] words = reference.words();
                assertArrayEquals(words, ScriptDifferentialPropertyTest.stateWords(connection, redisKey, words.length),
                        () -> where + ": state words differ; kernel " + Arrays.toString(words));
            }
        }
    }
}
