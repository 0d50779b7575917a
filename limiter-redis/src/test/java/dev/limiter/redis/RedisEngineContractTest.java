package dev.limiter.redis;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.testkit.LimiterEngineContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

/**
 * The testkit's engine contract - every algorithm's guarantee, checked against an oracle that knows
 * only that guarantee - run on the Lua scripts through {@link RedisBackedEngine}, in caller-time mode.
 */
@ExtendWith(RedisServerExtension.class)
class RedisEngineContractTest extends LimiterEngineContract {
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect(RedisClient client) {
        connection = client.connect();
    }

    @Override
    protected LimiterEngine engine(Clock clock, List<Limit> limits) {
        return new RedisBackedEngine(connection, clock, limits);
    }
}
