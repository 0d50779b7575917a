package dev.limiter.redis;

import dev.limiter.Algorithm;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.LimiterEngineFactory;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;

import java.util.Map;

/*
 * FAIL_OPEN_LOCAL's local limit: while Redis does not answer, one instance of a fleet of n decides
 * its requests alone, under the same algorithm with N / n permits (burst / n for a token bucket with
 * an explicit burst; at least 1), in an engine of its own (the off-heap engine found by
 * LimiterEngineFactory.discover(), or the factory the builder was given), so the fleet grants at
 * most about N in the algorithm's sense while every instance is degraded.
 *
 * One engine per limit: each decides on its own time base (the caller's clock in CALLER mode, the
 * local monotonic clock in SERVER mode), and an engine's staleness floor must never compare the two.
 * A key that does not fit the local table is denied (WhenFull.DENY). The local state starts empty at
 * every degraded period's first request and is kept (not reset) across periods.
 */
/** The per-instance local limit a degraded FleetLimiter fails open to; thread-safe. */
final class LocalFallback implements AutoCloseable {
    private final LimiterEngine engine;
    private final RateLimiter limiter;

    LocalFallback(LimiterEngineFactory factory, Limit limit, int instances, long keys, Clock clock) {
        this.engine = factory.create(clock, Map.of(share(limit, instances), keys), WhenFull.DENY);
        this.limiter = engine.rateLimiter(engine.limiters().get(0).limit().name());
    }

    /** @return {@code limit} with N (and an explicit burst) divided among {@code instances}, at least 1 */
    static Limit share(Limit limit, int instances) {
        Limit shared = limit.withPermits(Math.max(1, limit.permits() / instances));
        if (limit.algorithm() == Algorithm.TOKEN_BUCKET && limit.burst() != limit.permits()) {
            shared = shared.toBuilder().burst(Math.max(1, limit.burst() / instances)).build();
        }
        return shared;
    }

    /** @return the local decision for {@code permits} of {@code key} at local time {@code now}; never throws */
    RedisDecision decide(String key, long permits, long now) {
        Decision d = new Decision();
        RedisOutcome outcome;
        try {
            outcome = limiter.tryAcquire(key, permits, now, d) ? RedisOutcome.ALLOWED : RedisOutcome.LIMITED;
        } catch (RuntimeException e) {
            return new RedisDecision(RedisOutcome.LIMITED, limiter.limit(), 0, RedisDecision.NEVER, RedisDecision.NEVER,
                    null, null, RedisDecision.Source.LOCAL_FALLBACK);
        }
        if (d.outcome() == dev.limiter.Outcome.UNSATISFIABLE) {
            outcome = RedisOutcome.UNSATISFIABLE;
        }
        return new RedisDecision(outcome, d.limit() == null ? limiter.limit() : d.limit(), d.remaining(),
                d.retryAfterNanos(), d.resetAfterNanos(), null, null, RedisDecision.Source.LOCAL_FALLBACK);
    }

    /** @return the limit this instance enforces alone */
    Limit limit() {
        return limiter.limit();
    }

    @Override
    public void close() {
        engine.close();
    }
}
