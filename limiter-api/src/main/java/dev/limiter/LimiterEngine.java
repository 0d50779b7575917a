package dev.limiter;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A set of named {@link Limiter}s sharing one clock and one lifetime.
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
     * @return the limiter enforcing the limit named {@code limitName}
     * @throws IllegalArgumentException when no such limit is registered
     */
    Limiter limiter(String limitName);

    /** @return every limiter, in registration order */
    List<Limiter> limiters();

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
