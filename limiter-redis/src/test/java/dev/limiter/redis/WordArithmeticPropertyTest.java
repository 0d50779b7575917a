package dev.limiter.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quicktheories.core.Gen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The scripts' 64-bit words on Lua doubles ({@code words.lua}), run on the real server, equal Java's
 * long arithmetic on the whole range, edge values (both ends, &plusmn;2<sup>32</sup>, &plusmn;2<sup>53</sup>) included.
 */
@ExtendWith(RedisServerExtension.class)
class WordArithmeticPropertyTest {
    private static final String CHECKS = String.join("\n",
            "local a = w_at(ARGV[1], 1)",
            "local b = w_at(ARGV[2], 1)",
            "local n = tonumber(ARGV[3])",
            "local small = tonumber(ARGV[4])",
            "local divisor = w_at(ARGV[5], 1)",
            "local q, r = w_floor_divmod(a, divisor)",
            "local low = n; if low > 52 then low = 52 end",
            "return {w_hex(w_add(a, b)), w_hex(w_sub(a, b)), tostring(w_cmps(a, b)), tostring(w_cmpu(a, b)),",
            "  w_hex(w_shl(a, n)), w_hex(w_sar(a, n)), w_hex(q), w_hex(r), w_hex(w_flip_sign(a)),",
            "  w_hex(w_high(a, n)), count_string(w_low(a, low)), w_hex(w_small(small)), tostring(w_eq(a, b))}");
    private static final long TWO53 = 1L << 53;
    private static final List<Long> EDGES = List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -TWO53 - 1, -TWO53, -(1L << 32),
            -(1L << 32) + 1, -(1L << 31), -1L, 0L, 1L, (1L << 31) - 1, 1L << 31, (1L << 32) - 1, 1L << 32, TWO53,
            TWO53 + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE);

    private static StatefulRedisConnection<String, String> connection;
    private static String script;

    @BeforeAll
    static void connect(RedisClient client) throws IOException {
        connection = client.connect();
        try (InputStream in = LimitScript.class.getResourceAsStream("words.lua")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n" + CHECKS;
        }
    }

    private static Gen<Long> words() {
        return longs().all().mix(arbitrary().pick(EDGES), 40);
    }

    @Test
    void wordsComputeAsJavaLongs() {
        Gen<Long> smalls = longs().between(-TWO53 + 1, TWO53 - 1).mix(arbitrary().pick(List.of(-TWO53 + 1, -1L, 0L, TWO53 - 1)), 20);
        Gen<Long> divisors = longs().between(1, Long.MAX_VALUE)
                .mix(longs().between(1, 1000), 30).mix(arbitrary().pick(List.of(1L, 1L << 32, Long.MAX_VALUE)), 10);
        qt().withExamples(ScriptDifferentialPropertyTest.EXAMPLES)
                .forAll(words(), words(), integers().between(1, 63), smalls.zip(divisors, List::of))
                .checkAssert((a, b, n, sd) -> check(a, b, n, sd.get(0), sd.get(1)));
    }

    private static void check(long a, long b, int n, long small, long divisor) {
        List<Object> r = connection.sync().eval(script, ScriptOutputType.MULTI, new String[0],
                LimitScript.hex(a), LimitScript.hex(b), Integer.toString(n), Long.toString(small), LimitScript.hex(divisor));
        String at = "a=" + a + " b=" + b + " n=" + n + " small=" + small + " divisor=" + divisor;
        assertEquals(a + b, word(r, 0), "add " + at);
        assertEquals(a - b, word(r, 1), "sub " + at);
        assertEquals(Integer.signum(Long.compare(a, b)), Integer.parseInt((String) r.get(2)), "signed compare " + at);
        assertEquals(Integer.signum(Long.compareUnsigned(a, b)), Integer.parseInt((String) r.get(3)), "unsigned compare " + at);
        assertEquals(a << n, word(r, 4), "shl " + at);
        assertEquals(a >> n, word(r, 5), "sar " + at);
        assertEquals(Math.floorDiv(a, divisor), word(r, 6), "floorDiv " + at);
        assertEquals(Math.floorMod(a, divisor), word(r, 7), "floorMod " + at);
        assertEquals(a ^ Long.MIN_VALUE, word(r, 8), "flip sign " + at);
        assertEquals(a & -(1L << n), word(r, 9), "high bits " + at);
        assertEquals(a & ((1L << Math.min(n, 52)) - 1), Long.parseLong((String) r.get(10)), "low bits " + at);
        assertEquals(small, word(r, 11), "small " + at);
        assertEquals(Boolean.toString(a == b), r.get(12), "equal " + at);
    }

    private static long word(List<Object> reply, int i) {
        return Long.parseUnsignedLong((String) reply.get(i), 16);
    }
}
