package dev.limiter;

/** Why a {@link Decision} came out the way it did. */
public enum Outcome {
    /** Every check admitted; the permits are consumed. */
    ALLOWED(true),
    /** The limit is reached; retrying after {@link Decision#retryAfterNanos()} may succeed. */
    LIMITED(false),
    /** More permits were asked than the limit can ever grant at once; retrying never helps. */
    UNSATISFIABLE(false),
    /** The key table is full and configured with {@link WhenFull#DENY}. */
    TABLE_FULL_DENIED(false),
    /** The key table is full and configured with {@link WhenFull#ALLOW}: admitted without counting. */
    TABLE_FULL_ALLOWED(true);

    private final boolean allowed;

    Outcome(boolean allowed) {
        this.allowed = allowed;
    }

    /** @return whether the request may proceed */
    public boolean allowed() {
        return allowed;
    }
}
