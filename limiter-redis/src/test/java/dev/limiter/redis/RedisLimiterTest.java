package dev.limiter.redis;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis-backed limiter's contract beyond the decisions themselves: time modes, keys, expiry, failures. */
@ExtendWith(RedisServerExtension.class)
class RedisLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    /** Exactness, not latency, is under test: a loaded build machine must not turn a slow reply into a failure. */
    static final Duration PATIENT = Duration.ofSeconds(30);
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> redis;

    @BeforeAll
    static void connect(RedisClient classClient) {
        client = classClient;
        connection = client.connect();
        redis = connection.sync();
    }

    private static RedisLimiter.Builder limiter(String prefix) {
        return RedisLimiter.builder().connection(connection).keyPrefix(prefix).timeout(PATIENT);
    }

    @Test
    void serverTimeDecidesByRedisClock() {
        Limit limit = Limit.tokenBucket("api", 2, Duration.ofHours(1)).build();
        try (RedisLimiter limiter = limiter("server-time:").limit(limit, TimeMode.SERVER).build()) {
            long before = epochNanos();
            assertTrue(limiter.acquire("api", "u", 1).allowed());
            RedisDecision second = limiter.acquire("api", "u", 1);
            long after = epochNanos();
            assertEquals(RedisOutcome.ALLOWED, second.outcome());
            assertEquals(0, second.remaining());
            RedisDecision third = limiter.acquire("api", "u", 1);
            assertEquals(RedisOutcome.LIMITED, third.outcome());
            long halfHour = 1800 * SECOND;
            assertTrue(third.retryAfterNanos() > 0 && third.retryAfterNanos() <= halfHour, third::toString);
            // the stored TAT is Redis's TIME (in ns since the epoch) + 2 intervals of 30 min
            long tat = Long.parseUnsignedLong(redis.get(limiter.redisKey("api", "u")), 16) ^ Long.MIN_VALUE;
            long slack = 5 * SECOND;
            assertTrue(tat >= before + 2 * halfHour - slack && tat <= after + 2 * halfHour + slack,
                    () -> "TAT " + tat + " is not TIME + 1 h around " + before);
        }
    }

    @Test
    void callerTimeDecidesByTheInjectedClock() {
        ManualClock clock = new ManualClock(-5 * SECOND);
        Limit limit = Limit.fixedWindow("w", 2, Duration.ofSeconds(1)).build();
        try (RedisLimiter limiter = limiter("caller-time:").clock(clock).limit(limit, TimeMode.CALLER).build()) {
            assertTrue(limiter.tryAcquire("w", "k"));
            assertTrue(limiter.tryAcquire("w", "k"));
            RedisDecision denied = limiter.acquire("w", "k", 1);
            assertEquals(RedisOutcome.LIMITED, denied.outcome());
            assertEquals(SECOND, denied.retryAfterNanos());
            clock.advance(SECOND);
            assertTrue(limiter.tryAcquire("w", "k"), "a new window at the clock's next second");
        }
    }

    @Test
    void badInputThrowsAndTouchesNothing() {
        Limit limit = Limit.quota("q", 3).build();
        try (RedisLimiter limiter = limiter("bad-input:").limit(limit, TimeMode.CALLER).build()) {
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("nope", "k", 1));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync(null, "k", 1));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("q", null, 1));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("q", "", 1));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("q", "k", 0));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("q", "k", -1));
            assertThrows(IllegalArgumentException.class, () -> limiter.admitAsync("q", "k", "member"),
                    "a quota does not admit members");
            RedisDecision tooMany = limiter.acquire("q", "k", 4);
            assertEquals(RedisOutcome.UNSATISFIABLE, tooMany.outcome());
            assertEquals(RedisDecision.NEVER, tooMany.retryAfterNanos());
            assertEquals(0L, redis.exists(limiter.redisKey("q", "k")), "no request reached Redis");
            assertEquals(3, limiter.acquire("q", "k", 1).remaining() + 1, "the quota is untouched");
        }
        assertThrows(IllegalArgumentException.class, () -> RedisLimiter.builder().keyPrefix("a{b"));
        assertThrows(IllegalArgumentException.class, () -> RedisLimiter.builder()
                .limit(limit, TimeMode.CALLER).limit(limit, TimeMode.SERVER));
        assertThrows(IllegalStateException.class, () -> RedisLimiter.builder().limit(limit, TimeMode.CALLER).build());
    }

    @Test
    void limitsOfOneKeyShareAHashSlot() {
        try (RedisLimiter limiter = limiter("tags:")
                .limit(Limit.tokenBucket("second", 10, Duration.ofSeconds(1)).build(), TimeMode.SERVER)
                .limit(Limit.slidingWindow("hour", 1000, Duration.ofHours(1)).build(), TimeMode.SERVER).build()) {
            String a = limiter.redisKey("second", "user:42");
            String b = limiter.redisKey("hour", "user:42");
            assertEquals("tags:{user:42}:second", a);
            assertEquals(SlotHash.getSlot("user:42"), SlotHash.getSlot(a));
            assertEquals(SlotHash.getSlot(a), SlotHash.getSlot(b));
            assertNotEquals(SlotHash.getSlot(a), SlotHash.getSlot(limiter.redisKey("second", "user:43")));
        }
    }

    @Test
    void keysExpireWhenTheirStateHasDecayed() {
        ManualClock clock = new ManualClock(SECOND / 4);
        try (RedisLimiter limiter = limiter("expiry:").clock(clock).expiryGrace(Duration.ZERO)
                .limit(Limit.tokenBucket("bucket", 1, Duration.ofSeconds(10)).build(), TimeMode.CALLER)
                .limit(Limit.fixedWindow("fixed", 5, Duration.ofSeconds(1)).build(), TimeMode.CALLER)
                .limit(Limit.slidingWindow("sliding", 5, Duration.ofSeconds(1)).subWindows(10).build(), TimeMode.CALLER)
                .limit(Limit.quota("quota", 5).build(), TimeMode.CALLER).build()) {
            for (String name : new String[] {"bucket", "fixed", "sliding", "quota"}) {
                assertTrue(limiter.tryAcquire(name, "k"), name);
            }
            // idle after (+1 ms rounding; the lower bounds leave room for a slow machine between SET and PTTL):
            // TAT - now = 10 s; the window ends in 0.75 s; sub-window u + k + 1 = 13 (of 0.1 s) starts in 1.05 s
            assertBetween(5_000, 10_001, redis.pttl(limiter.redisKey("bucket", "k")));
            assertBetween(250, 751, redis.pttl(limiter.redisKey("fixed", "k")));
            assertBetween(550, 1_051, redis.pttl(limiter.redisKey("sliding", "k")));
            assertEquals(-1L, redis.pttl(limiter.redisKey("quota", "k")), "a quota never expires");
        }
        try (RedisLimiter limiter = limiter("expiry-grace:").clock(clock).expiryGrace(Duration.ofSeconds(30))
                .limit(Limit.fixedWindow("fixed", 5, Duration.ofSeconds(1)).build(), TimeMode.CALLER).build()) {
            assertTrue(limiter.tryAcquire("fixed", "k"));
            assertBetween(25_000, 30_751, redis.pttl(limiter.redisKey("fixed", "k")));
        }
    }

    private static void assertBetween(long low, long high, long actual) {
        assertTrue(actual >= low && actual <= high, () -> actual + " not in [" + low + ", " + high + "]");
    }

    @Test
    void aFlushedScriptCacheIsReloaded() {
        Limit limit = Limit.slidingWindow("s", 3, Duration.ofSeconds(1)).build();
        ManualClock clock = new ManualClock();
        try (RedisLimiter limiter = limiter("noscript:").clock(clock).limit(limit, TimeMode.CALLER).build()) {
            assertTrue(limiter.tryAcquire("s", "k"));
            assertEquals("OK", redis.scriptFlush());
            RedisDecision afterFlush = limiter.acquire("s", "k", 1);
            assertEquals(RedisOutcome.ALLOWED, afterFlush.outcome(), afterFlush::toString);
            assertEquals(1, afterFlush.remaining(), "the state survived; only the script was reloaded");
            assertTrue(redis.scriptExists(LimitScript.forLimit(limit).sha).get(0));
        }
    }

    @Test
    void aBrokenStateIsABackendFailureNotAnException() {
        Limit limit = Limit.slidingWindow("s", 3, Duration.ofSeconds(1)).build();
        try (RedisLimiter limiter = limiter("broken:").limit(limit, TimeMode.SERVER).build()) {
            redis.set(limiter.redisKey("s", "k"), "not a state");
            RedisDecision d = limiter.acquire("s", "k", 1);
            assertEquals(RedisOutcome.BACKEND_UNAVAILABLE, d.outcome());
            assertFalse(d.allowed());
            assertTrue(d.failure().orElseThrow().getMessage().contains("LIMITER_LAYOUT"), d::toString);
            assertEquals("not a state", redis.get(limiter.redisKey("s", "k")), "nothing was written");
        }
        Limit bucket = Limit.tokenBucket("b", 3, Duration.ofSeconds(1)).build();
        try (RedisLimiter limiter = limiter("broken:").limit(bucket, TimeMode.SERVER).build()) {
            String notHex = "zzzzzzzzzzzzzzzz";
            redis.set(limiter.redisKey("b", "k"), notHex);
            RedisDecision d = limiter.acquire("b", "k", 1);
            assertEquals(RedisOutcome.BACKEND_UNAVAILABLE, d.outcome());
            assertTrue(d.failure().orElseThrow().getMessage().contains("LIMITER_LAYOUT"), d::toString);
            assertEquals(notHex, redis.get(limiter.redisKey("b", "k")), "nothing was written");
        }
    }

    @Test
    void aLeaseIsReleasedOnce() {
        ManualClock clock = new ManualClock();
        Limit limit = Limit.concurrency("calls", 2, Duration.ofMinutes(1)).build();
        try (RedisLimiter limiter = limiter("leases:").clock(clock).limit(limit, TimeMode.CALLER)
                .limit(Limit.quota("q", 1).build(), TimeMode.CALLER).build()) {
            RedisDecision first = limiter.acquire("calls", "k", 2);
            assertTrue(first.allowed());
            assertFalse(limiter.tryAcquire("calls", "k"), "both permits are held");
            assertTrue(limiter.acquire("q", "k", 1).lease().isEmpty(), "only concurrency limits hand out leases");
            RedisLease lease = first.lease().orElseThrow();
            assertTrue(limiter.releaseAsync(lease).toCompletableFuture().join());
            assertTrue(lease.released());
            assertFalse(limiter.releaseAsync(lease).toCompletableFuture().join(), "a second release sends nothing");
            assertTrue(limiter.tryAcquire("calls", "k"));
            assertTrue(limiter.tryAcquire("calls", "k"));
            assertFalse(limiter.tryAcquire("calls", "k"), "the double release gave back nothing extra");
        }
    }

    @Test
    void aCompositeIsAllOrNothingAndRefusesWhatCannotJoin() {
        ManualClock clock = new ManualClock();
        try (RedisLimiter limiter = limiter("composite:").clock(clock)
                .limit(Limit.fixedWindow("minute", 5, Duration.ofMinutes(1)).build(), TimeMode.CALLER)
                .limit(Limit.quota("total", 2).build(), TimeMode.CALLER)
                .limit(Limit.tokenBucket("server", 5, Duration.ofMinutes(1)).build(), TimeMode.SERVER)
                .limit(Limit.concurrency("calls", 5, Duration.ofMinutes(1)).build(), TimeMode.CALLER).build()) {
            assertEquals(RedisOutcome.ALLOWED, composite(limiter, "minute", "total").outcome());
            RedisDecision second = composite(limiter, "minute", "total");
            assertEquals(RedisOutcome.ALLOWED, second.outcome());
            assertEquals("total", second.limit().name(), "the limit with the fewest permits left decides");
            RedisDecision third = composite(limiter, "minute", "total");
            assertEquals(RedisOutcome.LIMITED, third.outcome());
            assertEquals("total", third.limit().name());
            assertEquals(2, limiter.acquire("minute", "k", 1).remaining(), "5 - 2 composites - this one: the denied composite took nothing");
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAllAsync("k", 1));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAllAsync("k", 1, "minute", "minute"));
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAllAsync("k", 1, "minute", "server"),
                    "one time mode per composite");
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAllAsync("k", 1, "minute", "calls"),
                    "leases do not join composites");
        }
    }

    private static RedisDecision composite(RedisLimiter limiter, String... names) {
        return limiter.acquireAllAsync("k", 1, names).toCompletableFuture().join();
    }

    @Test
    void cardinalityAdmitsDistinctMembers() {
        try (RedisLimiter limiter = limiter("members:").limit(Limit.cardinality("users", 2).build(), TimeMode.SERVER)
                .build()) {
            assertThrows(IllegalArgumentException.class, () -> limiter.acquireAsync("users", "dev-1", 1),
                    "a cardinality limit admits members, not permits");
            assertThrows(IllegalArgumentException.class, () -> limiter.admitAsync("users", "dev-1", null));
            assertTrue(admit(limiter, "alice").allowed());
            assertTrue(admit(limiter, "bob").allowed());
            RedisDecision carol = admit(limiter, "carol");
            assertEquals(RedisOutcome.LIMITED, carol.outcome());
            assertEquals(RedisDecision.NEVER, carol.retryAfterNanos());
            assertTrue(admit(limiter, "alice").allowed(), "a member is admitted again");
            String parent = limiter.redisKey("users", "dev-1");
            assertEquals(SlotHash.getSlot(parent), SlotHash.getSlot(CardinalityScript.membersKey(parent)));
            assertEquals(2L, redis.hlen(CardinalityScript.membersKey(parent)));
        }
    }

    private static RedisDecision admit(RedisLimiter limiter, String member) {
        return limiter.admitAsync("users", "dev-1", member).toCompletableFuture().join();
    }

    @Test
    void concurrentClientsNeverOverAdmit() throws Exception {
        Limit limit = Limit.fixedWindow("w", 100, Duration.ofHours(1)).build();
        ManualClock clock = new ManualClock(7 * SECOND);
        RedisLimiter[] limiters = new RedisLimiter[2];
        for (int i = 0; i < limiters.length; i++) {
            limiters[i] = RedisLimiter.builder().client(client).keyPrefix("concurrent:").clock(clock).timeout(PATIENT)
                    .limit(limit, TimeMode.CALLER).build();
        }
        try {
            java.util.List<java.util.concurrent.CompletableFuture<RedisDecision>> all =
                    java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                RedisLimiter mine = limiters[t % limiters.length];
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 250; i++) {
                        all.add(mine.acquireAsync("w", "shared", 1).toCompletableFuture());
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long allowed = 0;
            for (java.util.concurrent.CompletableFuture<RedisDecision> f : all) {
                RedisDecision d = f.get(10, TimeUnit.SECONDS);
                assertTrue(d.outcome() == RedisOutcome.ALLOWED || d.outcome() == RedisOutcome.LIMITED, d::toString);
                allowed += d.allowed() ? 1 : 0;
            }
            assertEquals(1000, all.size());
            assertEquals(100, allowed, "1,000 requests over two connections: exactly N admitted in the window");
        } finally {
            for (RedisLimiter l : limiters) {
                l.close();
            }
        }
    }

    @Test
    void anUnreachableServerFailsClosed() throws Exception {
        RedisServerProcess own = RedisServerProcess.start();
        Limit limit = Limit.tokenBucket("api", 10, Duration.ofSeconds(1)).build();
        try (RedisLimiter limiter = RedisLimiter.builder().uri(own.uri()).timeout(Duration.ofMillis(500))
                .limit(limit, TimeMode.SERVER).build()) {
            assertTrue(limiter.tryAcquire("api", "k"));
            own.close();
            for (int i = 0; i < 3; i++) {
                RedisDecision d = limiter.acquireAsync("api", "k", 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals(RedisOutcome.BACKEND_UNAVAILABLE, d.outcome(), d::toString);
                assertFalse(d.allowed());
                assertTrue(d.failure().isPresent());
                assertFalse(limiter.tryAcquire("api", "k"));
            }
        } finally {
            own.close();
        }
        RedisBackendException notStarted = assertThrows(RedisBackendException.class, () -> RedisLimiter.builder()
                .uri(own.uri()).limit(limit, TimeMode.SERVER).build());
        assertTrue(notStarted.getMessage().startsWith("cannot start the Redis limiter"), notStarted::getMessage);
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * SECOND + now.getNano();
    }
}
