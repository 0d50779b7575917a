package dev.limiter.redis;

import dev.limiter.Limit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/*
 * One limit's algorithm step as a Lua script, and the client half of the same step.
 *
 * Split of work. The script does everything that must be atomic: read the key's state words,
 * decide, write the next words with their expiry. It replies with the few raw facts the decision
 * rests on (words as 16 hex digits, counts as decimals); the client derives remaining, retry-after
 * and reset from them with the engine kernel's own formulas (saturating long arithmetic), because
 * those need 64-bit multiplications that Lua's doubles cannot do cheaply. Figures that depend only
 * on the limit (the GCRA interval, a window's count bits) are computed here once and sent as
 * arguments, so the script never derives them differently from the kernel.
 *
 * Script text = words.lua (64-bit words on Lua doubles, the time source, the expiry rule) followed
 * by the algorithm's body; its SHA-1 is what EVALSHA names.
 */
/** An algorithm's Lua step for one limit plus the client-side derivation of its decision; immutable. */
abstract class LimitScript implements LuaScript {
    private static final String PRELUDE = resource("words.lua");

    final Limit limit;
    final String source;
    final String sha;

    /** The step function the resource defines (see the three-argument constructor); null for a whole script. */
    final String stepFunction;

    /** A script whose resource is a whole script over KEYS and ARGV. */
    LimitScript(Limit limit, String bodyResource) {
        this.limit = limit;
        this.stepFunction = null;
        this.source = PRELUDE + "\n" + resource(bodyResource);
        this.sha = sha1Hex(source);
    }

    /**
     * A script whose resource defines {@code stepFunction(key, now, grace, a, commit)}; for a single
     * limit the loader appends the call on KEYS[1], the time in ARGV[1], the grace in ARGV[2] and
     * the arguments ARGV[3..].
     */
    LimitScript(Limit limit, String bodyResource, String stepFunction) {
        this.limit = limit;
        this.stepFunction = stepFunction;
        this.source = PRELUDE + "\n" + resource(bodyResource) + "\nreturn " + stepFunction
                + "(KEYS[1], decision_time(ARGV[1]), tonumber(ARGV[2]), argv_from(3, #ARGV - 2), true)\n";
        this.sha = sha1Hex(source);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public String sha() {
        return sha;
    }

    @Override
    public String label() {
        return "limit '" + limit.name() + "'";
    }

    /** @return the prelude every script starts with */
    static String prelude() {
        return PRELUDE;
    }

    /** @return the SHA-1 of a script's text, as Redis names it */
    static String sha1(String text) {
        return sha1Hex(text);
    }

    /** @return the script for {@code limit}'s algorithm */
    static LimitScript forLimit(Limit limit) {
        switch (limit.algorithm()) {
            case TOKEN_BUCKET:
                return new GcraScript(limit);
            case FIXED_WINDOW:
                return new FixedWindowScript(limit);
            case SLIDING_WINDOW:
                return new SlidingWindowScript(limit);
            case QUOTA:
                return new QuotaScript(limit);
            case CONCURRENCY:
                return new ConcurrencyScript(limit);
            case CARDINALITY:
                return new CardinalityScript(limit);
            default:
                throw new IllegalArgumentException("limit '" + limit.name() + "': the Redis backend does not support "
                        + limit.algorithm());
        }
    }

    /** @return the most permits one request can be granted; more is unsatisfiable without a round trip */
    long maxPermits() {
        return limit.maxPermitsPerRequest();
    }

    /**
     * @param time the caller's time as a word, or {@code "server"}
     * @return ARGV for one request of {@code permits} (already within [1, {@link #maxPermits()}])
     */
    abstract String[] arguments(String time, long graceMillis, long permits);

    /**
     * @param key the caller's key (a granted lease names it)
     * @return the decision the reply stands for, derived exactly as the kernel derives its own
     * @throws RuntimeException when the reply is malformed (the caller reports it as a backend failure)
     */
    abstract RedisDecision decide(List<?> reply, long permits, String key);

    static RedisDecision allowed(Limit limit, long remaining, long resetAfter) {
        return new RedisDecision(RedisOutcome.ALLOWED, limit, remaining, 0L, resetAfter, null, null);
    }

    static RedisDecision limited(Limit limit, long remaining, long retryAfter, long resetAfter) {
        return new RedisDecision(RedisOutcome.LIMITED, limit, remaining, retryAfter, resetAfter, null, null);
    }

    static boolean admitted(List<?> reply) {
        return "1".equals(reply.get(0));
    }

    /** @return the reply's element i as a word (16 hex digits) */
    static long word(List<?> reply, int i) {
        return Long.parseUnsignedLong((String) reply.get(i), 16);
    }

    /** @return the reply's element i as a decimal count */
    static long count(List<?> reply, int i) {
        return Long.parseLong((String) reply.get(i));
    }

    /** @return a long as the scripts' word: 16 lower-case hex digits, big-endian */
    static String hex(long word) {
        return HexFormat.of().toHexDigits(word);
    }

    static String resource(String name) {
        try (InputStream in = LimitScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource dev/limiter/redis/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
