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
     * that spans the change (or a restart that lost Redis's state) may also hold what Redis granted:
     * at most 2N.
     */
    FAIL_OPEN_LOCAL
}
