package dev.limiter.redis;

import dev.limiter.Limit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Differential check of {@code cardinality.lua}: on generated sequences of members, every decision,
 * the parent's word and every member's mark equal the engine's cardinality kernel.
 */
@ExtendWith(RedisServerExtension.class)
class CardinalityDifferentialPropertyTest {
    private static final AtomicLong KEYS = new AtomicLong();
    private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect(RedisClient client) {
        connection = client.connect();
    }

    @Test
    void cardinalityScriptDecidesAsItsKernel() {
        qt().withExamples(ScriptDifferentialPropertyTest.EXAMPLES)
                .forAll(longs().between(1, 8).mix(longs().between(1, Limit.MAX_PERMITS), 20),
                        integers().between(1, KernelReference.MEMBERS).flatMap(m ->
                                lists().of(integers().between(0, m - 1)).ofSizeBetween(1, 40)))
                .checkAssert(CardinalityDifferentialPropertyTest::check);
        if (ScriptDifferentialPropertyTest.EXAMPLES >= 200) {
            assertEquals(Set.of("ALLOWED", "LIMITED"), REACHED);
        }
    }

    private static void check(long n, List<Integer> members) {
        Limit limit = Limit.cardinality("members", n).build();
        KernelReference reference = new KernelReference(limit);
        String key = "parent-" + KEYS.incrementAndGet();
        try (RedisLimiter limiter = RedisLimiter.builder().connection(connection).timeout(RedisLimiterTest.PATIENT).limit(limit, TimeMode.SERVER).build()) {
            String parentKey = limiter.redisKey("members", key);
            int i = 0;
            for (int m : members) {
                RedisDecision actual = limiter.admitAsync("members", key, "m" + m).toCompletableFuture().join();
                KernelReference.Step expected = reference.admit(m);
                REACHED.add(expected.outcome());
                String where = "admit " + i++ + " (member " + m + ") of N=" + n + " " + members;
                assertEquals(expected, KernelReference.Step.of(actual), () -> where + "; Redis said " + actual);
                long[] words = reference.words();
                assertArrayEquals(words, ScriptDifferentialPropertyTest.stateWords(connection, parentKey, words.length), where);
                String mark = connection.sync().hget(CardinalityScript.membersKey(parentKey), "m" + m);
                assertEquals(reference.memberWord(m), mark == null ? 0L : Long.parseUnsignedLong(mark, 16), where);
            }
            assertTrue(connection.sync().hlen(CardinalityScript.membersKey(parentKey)) <= n);
        }
    }
}
