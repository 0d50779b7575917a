package dev.limiter;

/**
 * Thrown when an operator tries to override a limit built with {@link Limit.Builder#fixed()}: such a
 * limit ("cannot be lifted") refuses every per-key raise or lower, and nothing changes.
 */
public final class FixedLimitException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message names the limit and the refused change */
    public FixedLimitException(String message) {
        super(message);
    }
}
