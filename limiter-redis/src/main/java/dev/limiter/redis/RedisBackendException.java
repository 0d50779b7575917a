package dev.limiter.redis;

/**
 * Redis could not be used: a connection, time-out, script or reply failure, with the client's own
 * exception as the cause.
 *
 * <p>Requests never see it thrown: an acquire returns {@link RedisOutcome#BACKEND_UNAVAILABLE} and
 * carries this exception in {@link RedisDecision#failure()}. It is thrown only by
 * {@link RedisLimiter.Builder#build()}, when the first connection or script load fails.
 */
public final class RedisBackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the client's exception, may be null
     */
    public RedisBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
