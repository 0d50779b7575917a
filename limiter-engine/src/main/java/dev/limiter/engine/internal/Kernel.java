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

    /**
     * @return the most permits one request can ever be granted; a request for more is refused at
     *     once as unsatisfiable. {@link Limit#maxPermitsPerRequest()} unless the kernel's state
     *     rounds the limit down.
     */
    public long maxPermits() {
        return limit.maxPermitsPerRequest();
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

    /**
     * Read-only twin of {@link #tryAcquire}: decides as it would at {@code now} but writes nothing to
     * the state. Used by composite decisions to find denials before anything is consumed.
     *
     * @param into when non-null and the permits would be denied, receives the denial (check index 0)
     * @return 0 when the permits would be granted now, else the nanoseconds until they might be
     *     ({@link Decision#NEVER} when never)
     */
    public abstract long peek(AtomicBuffer buffer, int offset, long permits, long now, Decision into);

    /**
     * As {@link #tryAcquire}, but returns a token that {@link #refund} needs to give the permits back.
     *
     * @return a non-zero token when granted, {@link #DENIED} when denied
     */
    public abstract long acquire(AtomicBuffer buffer, int offset, long permits, long now, Decision into);

    /**
     * Gives back permits that {@link #acquire} granted with {@code token}, as exactly as the algorithm
     * allows: afterwards no future decision admits more than it would have had the grant never
     * happened (see {@link #exactRefund()} for kernels that may keep some of it). Called at most once
     * per grant.
     */
    public abstract void refund(AtomicBuffer buffer, int offset, long permits, long token, long now);

    /**
     * @return true when {@link #refund} always restores every future decision exactly (counting
     *     kernels); false when a refund after other threads moved the state may keep the permits
     *     consumed, conservatively (GCRA, cardinality). Composite decisions commit such checks last.
     */
    public boolean exactRefund() {
        return true;
    }

    /**
     * @return when a composite decision commits this kernel's checks: 0 (exact refunds) first, then 1
     *     (GCRA: exact while uncontended), then 2 (cardinality: never refunded), so that a request
     *     with a single inexact check never has to refund it
     */
    public int commitOrder() {
        return exactRefund() ? 0 : 1;
    }

    /**
     * @return a kernel of the same algorithm, reading the same state layout, that enforces
     *     {@code override} instead: used for per-key overrides, so a key keeps its state
     * @throws IllegalArgumentException when the layout cannot represent the override
     */
    public abstract Kernel withLimit(Limit override);

    /** The value {@link #acquire} returns for a denial. */
    public static final long DENIED = 0L;
}
