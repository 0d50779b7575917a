package dev.limiter;

/**
 * A {@link Limiter} for an {@link Algorithm#CARDINALITY} limit: it admits distinct members under a
 * parent key, at most N per parent, and always admits a member again once admitted.
 */
public interface CardinalityLimiter extends Limiter {

    /**
     * Admits {@code member} under {@code parent}: allowed when the member was already admitted, or
     * when fewer than N distinct members are.
     *
     * @return whether the member is admitted
     * @throws TableFullException when the parent or the (parent, member) pair is new, its table is
     *     full, and {@link WhenFull#REJECT} applies
     * @throws IllegalStateException when the limiter is closed
     */
    boolean tryAdmit(long parent, long member, long nowNanos, Decision into);

    /** As {@link #tryAdmit(long, long, long, Decision)} for string keys. */
    boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into);

    /**
     * Operator action: {@code parent} starts afresh, with no members. Allowed on fixed limits too:
     * a reset restores the limit, it does not lift it. An unseen parent has no members already, so
     * resetting it changes nothing and claims no slot.
     *
     * @throws IllegalStateException when the limiter is closed, or when the parent has been reset
     *     more often than the engine can count (the engine documents how often)
     */
    void reset(long parent);

    /** As {@link #reset(long)} for a string key. */
    void reset(CharSequence parent);
}
