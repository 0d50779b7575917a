package dev.limiter.servlet;

/**
 * What {@link RateLimitFilter} does with a request when its gate cannot decide (the gate or its
 * engine is closed, or evaluating or rendering the verdict throws); the container never sees the
 * exception.
 */
public enum WhenGateFails {
    /**
     * Answer 503 with the JSON body {@code {"message": "rate limiting is unavailable", "type":
     * "service_unavailable"}} and do not call the rest of the chain: nothing unmetered reaches the
     * backend. The default.
     */
    SERVICE_UNAVAILABLE,
    /** Pass the request on to the rest of the chain unmetered (fail open). */
    ALLOW
}
