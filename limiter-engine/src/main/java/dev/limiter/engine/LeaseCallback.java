package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Lease;

/**
 * Receives the outcome of an asynchronous lease on a concurrency limit
 * ({@link AsyncAcquirer#lease(dev.limiter.ConcurrencyLimiter, long, long, long, LeaseCallback)}). Called
 * exactly once unless the wait is cancelled first: on the caller's thread when the outcome is known
 * at once, on the thread that released the permits when a release grants it, or on the engine's
 * ticker thread when it times out or a reclaim grants it. Keep it short.
 */
public interface LeaseCallback {

    /**
     * The permits were granted.
     *
     * @param lease the permits, now owned by the callee: close it to return them (closing it within
     *     this call serves the key's next waiter within it too, recursively: hand long chains off)
     * @param decision the grant; only valid during the call
     */
    void granted(Lease lease, Decision decision);

    /**
     * The permits were not granted within the wait allowed.
     *
     * @param decision the last refusal seen for this wait; only valid during the call
     */
    void refused(Decision decision);
}
