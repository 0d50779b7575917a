package dev.limiter.redis;

import dev.limiter.Algorithm;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Operator actions on limits whose state lives in Redis; thread-safe.
 *
 * <p>{@link #reset} is the engine's {@code Limiter.reset} for Redis: a quota or cardinality key starts
 * a fresh total. It deletes the key's state (for a cardinality limit, the count and the member set,
 * in one {@code DEL} of both keys, which share a hash tag): a missing key reads as "never seen" in
 * every script. Time-based limits replenish by themselves and are not reset.
 */
public final class RedisOperator {
    private final RedisLimiter redis;

    /** @param redis the limiter whose keys this operator acts on */
    public RedisOperator(RedisLimiter redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    /**
     * Starts a fresh total for {@code key} of the quota or cardinality limit {@code limitName}.
     *
     * @return a stage that completes with whether the key had state, or exceptionally with a
     *     {@link RedisBackendException} when Redis did not answer within the limiter's time-out
     * @throws IllegalArgumentException for an unknown limit or a null or empty key
     * @throws UnsupportedOperationException for a time-based or concurrency limit
     */
    public CompletionStage<Boolean> reset(String limitName, String key) {
        String stateKey = redis.redisKey(limitName, key);
        Algorithm a = redis.script(limitName).limit.algorithm();
        if (a != Algorithm.QUOTA && a != Algorithm.CARDINALITY) {
            throw new UnsupportedOperationException("limit '" + limitName + "' is " + a
                    + "; only quota and cardinality limits are reset by an operator");
        }
        String[] keys = a == Algorithm.CARDINALITY
                ? new String[] {stateKey, CardinalityScript.membersKey(stateKey)} : new String[] {stateKey};
        return redis.connection().async().del(keys).toCompletableFuture()
                .orTimeout(redis.scripts().timeoutNanos(), TimeUnit.NANOSECONDS)
                .handle((deleted, error) -> {
                    if (error != null) {
                        throw new RedisBackendException("reset of limit '" + limitName + "': " + error.getMessage(), error);
                    }
                    return deleted > 0;
                });
    }
}
