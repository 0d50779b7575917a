package dev.limiter.engine;

import dev.limiter.Decision;

/**
 * Receives the outcome of an {@link AsyncAcquirer#acquire(dev.limiter.RateLimiter, long, long, long, AcquireCallback)
 * asynchronous acquire}. Called exactly once: on the caller's thread when the outcome is known at
 * once, else on the engine's ticker thread - keep it short and hand heavy work to an executor.
 */
public interface AcquireCallback {

    /**
     * The permits were granted.
     *
     * @param decision the grant (its {@code remaining} and reset); only valid during the call
     */
    void granted(Decision decision);

    /**
     * The permits were not granted within the wait allowed.
     *
     * @param decision the refusal, with the retry-after measured from when it was decided; only
     *     valid during the call
     */
    void refused(Decision decision);
}
