package dev.limiter;

/**
 * What a limiter does with a key it has never seen when its key table is full.
 *
 * <p>Keys already in the table are unaffected: they keep being limited exactly.
 */
public enum WhenFull {
    /** Throw {@link TableFullException}; nothing is consumed. The default. */
    REJECT,
    /** Deny the request ({@link Outcome#TABLE_FULL_DENIED}): fail closed. */
    DENY,
    /** Admit the request without counting it ({@link Outcome#TABLE_FULL_ALLOWED}): fail open. */
    ALLOW
}
