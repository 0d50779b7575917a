package dev.limiter;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A set of named {@link Limiter}s sharing one clock and one lifetime.
 *
 * <p>Each limiter is an instance of its algorithm's type ({@link RateLimiter}, {@link QuotaLimiter},
 * {@link ConcurrencyLimiter} or {@link CardinalityLimiter}); the typed lookups
 * ({@link #rateLimiter(String)}, {@link #quotaLimiter(String)}, {@link #concurrencyLimiter(String)},
 * {@link #cardinalityLimiter(String)}) return it as that type, or refuse a limit of another algorithm.
 *
 * <p>Closing the engine closes every limiter: their memory is released and every later call,
 * through a limiter or a handle, throws {@link IllegalStateException}. Closing is idempotent and
 * safe while other threads are acquiring: a racing acquire either completes or throws, and never
 * touches released memory.
 */
public interface LimiterEngine extends AutoCloseable {

    /** @return the clock every limiter of this engine reads */
    Clock clock();

    /**
     * @return the limiter enforcing the limit named {@code limitName}, an instance of its
     *     algorithm's type (see the typed lookups below)
     * @throws IllegalArgumentException when no such limit is registered
     */
    Limiter limiter(String limitName);

    /** @return every limiter, in registration order */
    List<Limiter> limiters();

    /**
     * @return the limiter of the token-bucket, fixed-window, sliding-window or quota limit named
     *     {@code limitName}, typed for taking permits
     * @throws IllegalArgumentException when no such limit is registered, or when its algorithm is
     *     another one (the message names it); nothing changes
     */
    default RateLimiter rateLimiter(String limitName) {
        Limiter l = limiter(limitName);
        Algorithm a = l.limit().algorithm();
        if (a == Algorithm.CONCURRENCY || a == Algorithm.CARDINALITY) {
            throw wrongKind(l, "rateLimiter", "TOKEN_BUCKET, FIXED_WINDOW, SLIDING_WINDOW or QUOTA");
        }
        return (RateLimiter) l;
    }

    /**
     * @return the limiter of the {@link Algorithm#QUOTA} limit named {@code limitName}, typed for
     *     taking permits and for operator resets
     * @throws IllegalArgumentException when no such limit is registered, or when its algorithm is
     *     another one (the message names it); nothing changes
     */
    default QuotaLimiter quotaLimiter(String limitName) {
        Limiter l = limiter(limitName);
        if (l.limit().algorithm() != Algorithm.QUOTA) {
            throw wrongKind(l, "quotaLimiter", "QUOTA");
        }
        return (QuotaLimiter) l;
    }

    /**
     * @return the limiter of the {@link Algorithm#CONCURRENCY} limit named {@code limitName}, typed
     *     for taking leases
     * @throws IllegalArgumentException when no such limit is registered, or when its algorithm is
     *     another one (the message names it); nothing changes
     */
    default ConcurrencyLimiter concurrencyLimiter(String limitName) {
        Limiter l = limiter(limitName);
        if (l.limit().algorithm() != Algorithm.CONCURRENCY) {
            throw wrongKind(l, "concurrencyLimiter", "CONCURRENCY");
        }
        return (ConcurrencyLimiter) l;
    }

    /**
     * @return the limiter of the {@link Algorithm#CARDINALITY} limit named {@code limitName}, typed
     *     for admitting members
     * @throws IllegalArgumentException when no such limit is registered, or when its algorithm is
     *     another one (the message names it); nothing changes
     */
    default CardinalityLimiter cardinalityLimiter(String limitName) {
        Limiter l = limiter(limitName);
        if (l.limit().algorithm() != Algorithm.CARDINALITY) {
            throw wrongKind(l, "cardinalityLimiter", "CARDINALITY");
        }
        return (CardinalityLimiter) l;
    }

    private static IllegalArgumentException wrongKind(Limiter l, String lookup, String serves) {
        Algorithm a = l.limit().algorithm();
        return new IllegalArgumentException("limit '" + l.limit().name() + "' is " + a + ": " + lookup
                + "(...) serves " + serves + " limits; use " + lookupFor(a) + "('" + l.limit().name() + "')");
    }

    private static String lookupFor(Algorithm a) {
        switch (a) {
            case CONCURRENCY:
                return "concurrencyLimiter";
            case CARDINALITY:
                return "cardinalityLimiter";
            case QUOTA:
                return "quotaLimiter";
            default:
                return "rateLimiter";
        }
    }

    /**
     * Evaluates every check of one request atomically: the permits are granted in all of them, or
     * in none. A check that denies leaves nothing consumed in the others. When denied, {@code into}
     * names the denying check and carries the longest retry-after among the denying checks; when
     * allowed, it describes the check with the fewest remaining permits.
     *
     * @param into where the decision is recorded; may be null
     * @return whether every check admitted
     * @throws IllegalArgumentException when a check's limiter belongs to another engine; nothing is consumed
     * @throws IllegalStateException when the engine is closed
     */
    boolean tryAcquireAll(Checks checks, long nowNanos, Decision into);

    /**
     * Returns the permits that the last successful {@link #tryAcquireAll} on {@code checks} took
     * from its {@link Algorithm#CONCURRENCY} checks; other checks are unaffected. Idempotent per
     * acquisition: a second call, or a call after the leases were reclaimed, does nothing.
     */
    void releaseAll(Checks checks, long nowNanos);

    /**
     * Acquires every check of {@code checks} together, as {@link #tryAcquireAll}, waiting up to
     * {@code maxWaitNanos} for the checks to allow it without parking a thread. The future
     * completes normally with the final decision, allowed or not (a refusal carries the longest
     * retry-after among its denying checks); cancelling it withdraws the wait. The engine reads
     * {@code checks} until then: do not change or reuse it before.
     *
     * <p>This default never waits: it decides once, now. Engines that can wait override it.
     *
     * @throws IllegalArgumentException when {@code maxWaitNanos} is negative or a check's limiter
     *     belongs to another engine
     */
    default CompletableFuture<Decision> acquireAllAsync(Checks checks, long maxWaitNanos) {
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("maxWaitNanos must not be negative: " + maxWaitNanos);
        }
        Decision d = new Decision();
        tryAcquireAll(checks, clock().nanoTime(), d);
        return CompletableFuture.completedFuture(d);
    }

    /** @return whether {@link #close()} has been called */
    boolean isClosed();

    /** Releases every limiter's memory; idempotent. */
    @Override
    void close();
}
