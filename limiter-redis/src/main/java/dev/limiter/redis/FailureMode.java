package dev.limiter.redis;

/**
 * What a {@link FleetLimiter} decides while Redis does not answer (refused, lost, timed out,
 * restarting). Either way no exception reaches the caller, a metric counts it, and the limiter
 * returns to Redis by itself once a probe is answered.
 */
public enum FailureMode {
    /**
     * Deny: decisions that need Redis are {@link RedisOutcome#BACKEND_UNAVAILABLE}. Never grants
     * more than Redis would; a leased batch still grants the permits it reserved before.
     */
    FAIL_CLOSED,
    /**
     * Decide locally: each instance enforces the same algorithm with N / instances permits (at least
     * 1), {@link RedisDecision.Source#LOCAL_FALLBACK}. While every instance is degraded the fleet
     * grants at most N in the algorithm's sense if the configured instance count is right; a window
     * in which the mode changes may also hold what Redis granted in it, N more per change: at most 2N
     * for one change, 3N when Redis goes down and comes back without its state within one window.
     */
    FAIL_OPEN_LOCAL
}
