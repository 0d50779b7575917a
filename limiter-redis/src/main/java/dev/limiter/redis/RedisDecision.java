package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.Optional;

/**
 * The immutable answer to one Redis-backed acquire: the outcome, the limit, and the figures a
 * response header needs, with the same meaning as the engine's {@link dev.limiter.Decision}.
 */
public final class RedisDecision {
    /** The value of {@link #retryAfterNanos()} and {@link #resetAfterNanos()} for "never". */
    public static final long NEVER = Long.MAX_VALUE;

    private final RedisOutcome outcome;
    private final Limit limit;
    private final long remaining;
    private final long retryAfterNanos;
    private final long resetAfterNanos;
    private final RedisBackendException failure;
    private final RedisLease lease;
    private final Source source;

    /** Who decided: Redis, this instance from permits it leased from Redis, or its local fallback limit. */
    public enum Source {
        /** A script in Redis decided (or Redis was asked and did not answer). */
        REDIS,
        /** This instance granted permits it had reserved from Redis before ({@link FleetLimiter} leasing). */
        LEASE,
        /** This instance's local limit decided while Redis was unreachable ({@link FailureMode#FAIL_OPEN_LOCAL}). */
        LOCAL_FALLBACK
    }

    RedisDecision(RedisOutcome outcome, Limit limit, long remaining, long retryAfterNanos, long resetAfterNanos,
                  RedisBackendException failure, RedisLease lease) {
        this(outcome, limit, remaining, retryAfterNanos, resetAfterNanos, failure, lease, Source.REDIS);
    }

    RedisDecision(RedisOutcome outcome, Limit limit, long remaining, long retryAfterNanos, long resetAfterNanos,
                  RedisBackendException failure, RedisLease lease, Source source) {
        this.source = source;
        this.outcome = outcome;
        this.limit = limit;
        this.remaining = remaining;
        this.retryAfterNanos = retryAfterNanos;
        this.resetAfterNanos = resetAfterNanos;
        this.failure = failure;
        this.lease = lease;
    }

    static RedisDecision unavailable(Limit limit, RedisBackendException failure) {
        return new RedisDecision(RedisOutcome.BACKEND_UNAVAILABLE, limit, 0, NEVER, NEVER, failure, null);
    }

    /** @return whether the request may proceed (only for {@link RedisOutcome#ALLOWED}) */
    public boolean allowed() {
        return outcome == RedisOutcome.ALLOWED;
    }

    /** @return why the decision came out as it did */
    public RedisOutcome outcome() {
        return outcome;
    }

    /** @return the limit that decided */
    public Limit limit() {
        return limit;
    }

    /** @return the permits that could still be granted now, after this decision; 0 when Redis did not decide */
    public long remaining() {
        return remaining;
    }

    /** @return nanoseconds until the same request could be admitted: 0 when allowed, {@link #NEVER} when never or unknown */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }

    /** @return nanoseconds until the limit is fully replenished for this key; {@link #NEVER} when never or unknown */
    public long resetAfterNanos() {
        return resetAfterNanos;
    }

    /** @return why Redis did not decide, present only for {@link RedisOutcome#BACKEND_UNAVAILABLE} */
    public Optional<RedisBackendException> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * @return the lease that holds the permits of an allowed concurrency decision, to pass to
     *     {@link RedisLimiter#releaseAsync}; empty for every other decision
     */
    public Optional<RedisLease> lease() {
        return Optional.ofNullable(lease);
    }

    /** @return who decided: {@link Source#REDIS} unless a {@link FleetLimiter} decided locally */
    public Source source() {
        return source;
    }

    @Override
    public String toString() {
        return "RedisDecision[" + outcome + " by " + (limit == null ? "?" : limit.name())
                + ", remaining=" + remaining
                + ", retryAfter=" + (retryAfterNanos == NEVER ? "never" : retryAfterNanos + "ns")
                + ", resetAfter=" + (resetAfterNanos == NEVER ? "never" : resetAfterNanos + "ns")
                + (source == Source.REDIS ? "" : ", source=" + source)
                + (failure == null ? "" : ", failure=" + failure.getMessage()) + "]";
    }
}
