package dev.limiter.redis;

/** Why a {@link RedisDecision} came out as it did; only {@link #ALLOWED} lets a request proceed. */
public enum RedisOutcome {
    /** The script admitted the request and consumed its permits. */
    ALLOWED,
    /** The limit is reached; retrying after {@link RedisDecision#retryAfterNanos()} may succeed. */
    LIMITED,
    /** More permits were asked than the limit can ever grant at once; decided without Redis. */
    UNSATISFIABLE,
    /**
     * Redis did not decide (unreachable, timed out, or answered with an error): the limiter fails
     * closed and denies. {@link RedisDecision#failure()} says why; nothing is known about the key.
     */
    BACKEND_UNAVAILABLE
}
