package dev.limiter.redis;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An operator's reset of quota and cardinality keys in Redis, and its refusal for time-based limits. */
@ExtendWith(RedisServerExtension.class)
class RedisOperatorTest {
    @Test
    void resetStartsAFreshTotal(RedisServerProcess server) {
        RedisClient client = RedisClient.create(server.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect();
             RedisLimiter redis = RedisLimiter.builder().connection(connection).keyPrefix("reset:").clock(new ManualClock(0))
                     .timeout(RedisLimiterTest.PATIENT)
                     .limit(Limit.quota("q", 2).build(), TimeMode.CALLER)
                     .limit(Limit.cardinality("users", 2).build(), TimeMode.CALLER)
                     .limit(Limit.fixedWindow("fw", 2, Duration.ofSeconds(1)).build(), TimeMode.CALLER).build()) {
            RedisOperator operator = new RedisOperator(redis);
            assertTrue(redis.tryAcquire("q", "k") && redis.tryAcquire("q", "k"));
            assertFalse(redis.tryAcquire("q", "k"));
            assertTrue(operator.reset("q", "k").toCompletableFuture().join());
            assertEquals(2, redis.acquire("q", "k", 1).remaining() + 1, "a fresh total of 2");
            assertFalse(operator.reset("q", "other").toCompletableFuture().join(), "a key never seen has nothing to reset");

            assertTrue(redis.admitAsync("users", "t", "a").toCompletableFuture().join().allowed());
            assertTrue(redis.admitAsync("users", "t", "b").toCompletableFuture().join().allowed());
            assertFalse(redis.admitAsync("users", "t", "c").toCompletableFuture().join().allowed());
            assertTrue(operator.reset("users", "t").toCompletableFuture().join());
            assertEquals(0L, connection.sync().exists(CardinalityScript.membersKey(redis.redisKey("users", "t"))));
            assertTrue(redis.admitAsync("users", "t", "c").toCompletableFuture().join().allowed(), "members start afresh");

            assertThrows(UnsupportedOperationException.class, () -> operator.reset("fw", "k"));
            assertThrows(IllegalArgumentException.class, () -> operator.reset("nope", "k"));
            assertThrows(IllegalArgumentException.class, () -> operator.reset("q", ""));
        } finally {
            client.shutdown();
        }
    }
}
