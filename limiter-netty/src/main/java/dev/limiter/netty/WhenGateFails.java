package dev.limiter.netty;

/**
 * What {@link RateLimitHandler} does with a request when its gate cannot decide (the gate or its
 * engine is closed, or evaluating or rendering the verdict throws); the exception never reaches
 * the pipeline.
 */
public enum WhenGateFails {
    /**
     * Answer 503 with the JSON body {@code {"message": "rate limiting is unavailable", "type":
     * "service_unavailable"}} and do not pass the request on: nothing unmetered reaches the backend.
     * The default.
     */
    SERVICE_UNAVAILABLE,
    /** Pass the request on unmetered (fail open). */
    ALLOW
}
