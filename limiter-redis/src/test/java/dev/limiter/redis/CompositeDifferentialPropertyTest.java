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
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Differential check of {@code composite.lua}: a request over one to three limits decides as the
 * engine's kernels checked read-only in order and then all committed - the first denial consumes
 * nothing anywhere; an admission consumes in every limit and reports the one with fewest remaining -
 * and every limit's state words equal its kernel's after every request.
 */
@ExtendWith(RedisServerExtension.class)
class CompositeDifferentialPropertyTest {
    private static final AtomicLong KEYS = new AtomicLong();
    private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect(RedisClient client) {
        connection = client.connect();
    }

    record Case(List<Limit> limits, long start, List<ScriptDifferentialPropertyTest.Request> requests) {
    }

    @Test
    void compositeDecidesAsItsKernelsCheckedThenCommitted() {
        Gen<List<Limit>> limitSets = lists().of(ScriptDifferentialPropertyTest.limits())
                .ofSizeBetween(1, 3).map(CompositeDifferentialPropertyTest::named);
        Gen<Case> cases = limitSets.flatMap(ls -> ScriptDifferentialPropertyTest.starts()
                .zip(ScriptDifferentialPropertyTest.requests(ls.get(0)), (start, rs) -> new Case(ls, start, rs)));
        qt().withExamples(Math.max(50, ScriptDifferentialPropertyTest.EXAMPLES / 2)).forAll(cases)
                .checkAssert(CompositeDifferentialPropertyTest::check);
        if (ScriptDifferentialPropertyTest.EXAMPLES >= 200) {
            for (String reached : List.of("ALLOWED", "LIMITED by a later limit", "UNSATISFIABLE")) {
                assertTrue(REACHED.contains(reached), () -> "no request reached " + reached + ": " + REACHED);
            }
        }
    }

    /** @return the limits renamed c0, c1, ... so that two of one algorithm can meet in a composite */
    private static List<Limit> named(List<Limit> limits) {
        List<Limit> out = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            String name = "c" + i;
            Duration t = l.period();
            Algorithm a = l.algorithm();
            out.add(a == Algorithm.TOKEN_BUCKET ? Limit.tokenBucket(name, l.permits(), t).burst(l.burst()).build()
                    : a == Algorithm.FIXED_WINDOW ? Limit.fixedWindow(name, l.permits(), t).build()
                    : a == Algorithm.SLIDING_WINDOW ? Limit.slidingWindow(name, l.permits(), t).subWindows(l.subWindows()).build()
                    : Limit.quota(name, l.permits()).build());
        }
        return out;
    }

    private static void check(Case c) {
        ManualClock clock = new ManualClock(c.start);
        RedisLimiter.Builder builder = RedisLimiter.builder().connection(connection).clock(clock).timeout(RedisLimiterTest.PATIENT).expiryGrace(Duration.ofHours(1));
        List<KernelReference> references = new ArrayList<>();
        for (Limit l : c.limits) {
            builder.limit(l, TimeMode.CALLER);
            references.add(new KernelReference(l));
        }
        String[] names = c.limits.stream().map(Limit::name).toArray(String[]::new);
        String key = "composite-" + KEYS.incrementAndGet();
        try (RedisLimiter limiter = builder.build()) {
            long now = c.start;
            int n = 0;
            for (ScriptDifferentialPropertyTest.Request r : c.requests) {
                now = r.back() ? Saturating.add(now, -r.dt()) : Saturating.add(now, r.dt());
                clock.set(now);
                RedisDecision actual = limiter.acquireAllAsync(key, r.permits(), names).toCompletableFuture().join();
                int decider = -1;
                KernelReference.Step expected = null;
                for (int i = 0; i < references.size() && expected == null; i++) {
                    if (r.permits() > references.get(i).maxPermits()) {
                        decider = i;
                        expected = new KernelReference.Step("UNSATISFIABLE", 0, RedisDecision.NEVER, RedisDecision.NEVER);
                    }
                }
                for (int i = 0; i < references.size() && expected == null; i++) {
                    expected = references.get(i).peek(now, r.permits());
                    decider = i;
                }
                if (expected == null) {
                    for (int i = 0; i < references.size(); i++) {
                        KernelReference.Step s = references.get(i).step(now, r.permits());
                        assertEquals("ALLOWED", s.outcome(), "the kernel's check admitted, its commit must");
                        if (expected == null || s.remaining() < expected.remaining()) {
                            expected = s;
                            decider = i;
                        }
                    }
                }
                REACHED.add(expected.outcome().equals("LIMITED") && decider > 0 ? "LIMITED by a later limit" : expected.outcome());
                String where = "request " + n++ + " (" + r + ") at now=" + now + " of " + c;
                KernelReference.Step want = expected;
                assertEquals(want, KernelReference.Step.of(actual), () -> where + "; Redis said " + actual);
                assertEquals(names[decider], actual.limit().name(), where);
                for (int i = 0; i < references.size(); i++) {
                    long[] words = references.get(i).words();
                    String redisKey = limiter.redisKey(names[i], key);
                    assertArrayEquals(words, ScriptDifferentialPropertyTest.stateWords(connection, redisKey, words.length),
                            () -> where + ": state words of " + redisKey + " differ; kernel " + Arrays.toString(words));
                }
            }
        }
    }
}
