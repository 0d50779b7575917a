package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import org.agrona.concurrent.AtomicBuffer;

/**
 * One algorithm's admission rule over a key's state words, kept apart from where the words live.
 *
 * <p>A kernel sees only {@code (buffer, offset)}: the first of its {@link #stateWords()} 8-byte
 * aligned words. The same kernel therefore runs on an off-heap table slot, on a scratch buffer in
 * a test, and later on another store. Contract for every kernel:
 * <ul>
 *   <li>all-zero state words mean "a key never seen", so a freshly claimed slot needs no
 *       initialisation;</li>
 *   <li>{@link #tryAcquire} is lock-free: it reads with acquire semantics and publishes with a
 *       single-word CAS (release), retrying only when another thread changed the word;</li>
 *   <li>a denial changes nothing;</li>
 *   <li>permits are already validated by the caller: {@code 1 <= permits <= limit.maxPermitsPerRequest()}.</li>
 * </ul>
 */
public abstract class Kernel {
    /** The limit this kernel enforces. */
    protected final Limit limit;

    protected Kernel(Limit limit) {
        this.limit = limit;
    }

    /** @return the limit this kernel enforces */
    public final Limit limit() {
        return limit;
    }

    /** @return how many 8-byte state words one key needs */
    public abstract int stateWords();

    /**
     * Takes {@code permits} at {@code now} if the algorithm admits them.
     *
     * @param into when non-null, receives the decision (check index 0)
     * @return whether the permits were taken
     */
    public abstract boolean tryAcquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into);

    /**
     * @return whether the state is equivalent to a key never seen, at {@code now}: such a key may be
     *     forgotten without changing any future decision
     */
    public abstract boolean isIdle(AtomicBuffer buffer, int offset, long now);
}
