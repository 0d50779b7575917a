package dev.limiter.engine;

import dev.limiter.Decision;

/** Completes an asynchronous acquire that was refused: its wait would have exceeded the maximum allowed. */
public final class AcquireRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The refusal; not serialized. */
    private final transient Decision decision;

    AcquireRefusedException(Decision decision) {
        super(decision.toString(), null, false, false);
        this.decision = decision;
    }

    /** @return the refusal: outcome, limit and retry-after, measured from when it was decided */
    public Decision decision() {
        return decision;
    }
}
