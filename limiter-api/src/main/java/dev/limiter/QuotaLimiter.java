package dev.limiter;

/**
 * A {@link RateLimiter} for an {@link Algorithm#QUOTA} limit, which never replenishes by itself:
 * an operator {@linkplain #reset(long) resets} a key to a fresh total.
 */
public interface QuotaLimiter extends RateLimiter {

    /**
     * Operator action: {@code key} starts a fresh total, with no permits used. Allowed on fixed
     * limits too: a reset restores the limit, it does not lift it. An unseen key already has a
     * fresh total, so resetting it changes nothing and claims no slot.
     *
     * @throws IllegalStateException when the limiter is closed
     */
    void reset(long key);

    /** As {@link #reset(long)} for a string key. */
    void reset(CharSequence key);
}
