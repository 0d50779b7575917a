package dev.limiter;

/** Thrown for a new key when a limiter's key table is full and configured with {@link WhenFull#REJECT}. */
public final class TableFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message names the limit and its capacity */
    public TableFullException(String message) {
        super(message);
    }
}
