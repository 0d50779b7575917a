package dev.limiter.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;

/**
 * Writes a {@link Decision}, which users can only read: the one way an engine records its answer.
 * Obtained from {@link EngineAccess#decisions()}; stateless and thread-safe (the decision written
 * is not).
 */
public interface DecisionWriter {

    /**
     * Overwrites every field of {@code decision}.
     *
     * @return {@code decision}
     */
    Decision set(Decision decision, Outcome outcome, Limit limit, int checkIndex, long remaining,
                 long retryAfterNanos, long resetAfterNanos);
}
