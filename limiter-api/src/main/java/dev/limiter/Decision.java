package dev.limiter;

import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/**
 * The full answer to one acquire: allowed or not, which limit decided, and the figures a response
 * header needs (limit, remaining, retry-after, reset).
 *
 * <p>A {@code Decision} is a reusable, mutable holder so that the allowed path allocates nothing:
 * the caller owns it, passes it to {@code tryAcquire(..., into)}, and the limiter overwrites every
 * field (only engines can write one). It is not thread-safe; keep one per thread (or per request).
 * {@link #snapshot()} returns an immutable-by-convention copy to keep.
 */
public final class Decision {
    /** The value of {@link #retryAfterNanos()} when retrying can never succeed. */
    public static final long NEVER = Long.MAX_VALUE;

    static {
        // engines write decisions through dev.limiter.internal, which users cannot see
        EngineAccess.install((DecisionWriter) (d, outcome, limit, checkIndex, remaining, retryAfterNanos,
                resetAfterNanos) -> d.write(outcome, limit, checkIndex, remaining, retryAfterNanos, resetAfterNanos));
    }

    private Outcome outcome = Outcome.ALLOWED;
    private Limit limit;
    private int checkIndex = -1;
    private long remaining;
    private long retryAfterNanos;
    private long resetAfterNanos;

    /** An empty holder: outcome {@link Outcome#ALLOWED}, no limit, until a limiter fills it. */
    public Decision() {
    }

    /** @return whether the request may proceed */
    public boolean allowed() {
        return outcome.allowed();
    }

    /** @return why the decision came out as it did */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * @return the limit that decided: the denying one when denied, else the most constraining one
     *     (fewest remaining); null before the first use
     */
    public Limit limit() {
        return limit;
    }

    /** @return the position of the deciding check in a composite request; 0 for a single check */
    public int checkIndex() {
        return checkIndex;
    }

    /** @return N of the deciding limit (for {@code X-RateLimit-Limit}); 0 before first use */
    public long limitPermits() {
        return limit == null ? 0 : limit.permits();
    }

    /** @return the permits that could still be granted now, after this decision */
    public long remaining() {
        return remaining;
    }

    /**
     * @return nanoseconds until the same request could be admitted: 0 when allowed, {@link #NEVER}
     *     when unsatisfiable
     */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }

    /** @return nanoseconds until the deciding limit is fully replenished (for {@code X-RateLimit-Reset}) */
    public long resetAfterNanos() {
        return resetAfterNanos;
    }

    private Decision write(Outcome outcome, Limit limit, int checkIndex, long remaining,
                           long retryAfterNanos, long resetAfterNanos) {
        this.outcome = outcome;
        this.limit = limit;
        this.checkIndex = checkIndex;
        this.remaining = remaining;
        this.retryAfterNanos = retryAfterNanos;
        this.resetAfterNanos = resetAfterNanos;
        return this;
    }

    /** @return a copy that later acquires will not overwrite */
    public Decision snapshot() {
        return new Decision().write(outcome, limit, checkIndex, remaining, retryAfterNanos, resetAfterNanos);
    }

    @Override
    public String toString() {
        return "Decision[" + outcome + (limit == null ? "" : " by " + limit.name())
                + ", remaining=" + remaining
                + ", retryAfter=" + (retryAfterNanos == NEVER ? "never" : retryAfterNanos + "ns")
                + ", resetAfter=" + resetAfterNanos + "ns]";
    }
}
