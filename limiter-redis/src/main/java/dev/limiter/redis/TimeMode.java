package dev.limiter.redis;

/**
 * Whose clock a Redis-backed limit decides by: Redis's {@code TIME} or the calling JVM's clock.
 *
 * <p>Every decision on one key must use one time base, so the mode is fixed per limit when the
 * {@link RedisLimiter} is built. Times are nanoseconds on a 64-bit signed axis; the scripts compute
 * on the full range exactly (see {@code README.md}).
 */
public enum TimeMode {
    /**
     * Redis's {@code TIME} (wall clock, microsecond resolution, in nanoseconds since the epoch) read
     * inside the script: all clients agree by construction and no client clock is trusted. If the
     * server's wall clock steps back, callers are counted at the key's latest time, as for a stalled
     * caller in the engine.
     */
    SERVER,
    /**
     * The limiter's {@link dev.limiter.Clock}, read by the calling JVM and sent with the request.
     * Every client of a key must use the same time base (for example epoch nanoseconds from
     * synchronised hosts); tests pass a {@link dev.limiter.ManualClock} and never sleep.
     */
    CALLER
}
