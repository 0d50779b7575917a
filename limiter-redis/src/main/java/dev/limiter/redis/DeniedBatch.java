package dev.limiter.redis;

/**
 * A denial by Redis remembered until its retry-after has passed: requests for the key before then
 * are denied locally, without a round trip. A denial is always safe (it can only under-admit), and
 * Redis said the same number of permits (or more) cannot be granted before then: other instances only
 * take more. Smaller requests still go to Redis. Immutable.
 */
final class DeniedBatch extends PermitBatch {
    private final long until;
    private final long permits;
    private final RedisDecision denial;

    /** Requests of {@code permits} or more are denied while Redis's time is before {@code until}. */
    DeniedBatch(long until, long permits, RedisDecision denial, long lo, long hi) {
        super(lo, hi);
        this.until = until;
        this.permits = permits;
        this.denial = denial;
    }

    @Override
    long tryTake(long s, long permits) {
        return NOT_GRANTED;
    }

    @Override
    boolean denies(long s, long p) {
        return p >= permits && plus(s, hi) < until;
    }

    @Override
    boolean expired(long s) {
        return plus(s, hi) >= until;
    }

    @Override
    boolean usedUp() {
        return false;
    }

    @Override
    long spanLeft(long s) {
        return Math.max(0, until - plus(s, lo));
    }

    /** @return the denial Redis gave, for the limit and remaining of a local denial */
    RedisDecision denial() {
        return denial;
    }
}
