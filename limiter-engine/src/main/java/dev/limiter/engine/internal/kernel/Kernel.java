package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;

/**
 * One algorithm's admission rule as pure functions over a key's state words; thread-safe by
 * immutability, and it never reads or writes memory itself (see the package comment).
 *
 * <p>Contract for every kernel:
 * <ul>
 *   <li>all-zero state words mean "a key never seen", so a freshly claimed slot needs no
 *       initialisation, and every word a kernel publishes as word 0 is non-zero;</li>
 *   <li>{@link #next} is a pure function of (state words, permits, now, the limit): it returns the
 *       next word 0, or {@link #DENIED}, and writes the decision's figures into {@code facts} when
 *       that is non-null; a store publishes the result with a single CAS on word 0;</li>
 *   <li>a denial changes nothing;</li>
 *   <li>callers pass {@code 1 <= permits <= maxPermits()}; larger requests are refused before a
 *       kernel runs, as unsatisfiable.</li>
 * </ul>
 */
public abstract class Kernel {
    /** The value {@link #next} returns for a denial; never a published word 0. */
    public static final long DENIED = 0L;

    /** The limit this kernel enforces. */
    protected final Limit limit;

    /** @param limit the limit this kernel enforces */
    protected Kernel(Limit limit) {
        this.limit = limit;
    }

    /** @return the limit this kernel enforces */
    public final Limit limit() {
        return limit;
    }

    /**
     * @return the most permits one request can ever be granted; a request for more is refused at
     *     once as unsatisfiable. {@link Limit#maxPermitsPerRequest()} unless the state or the
     *     clock's range cannot hold that many.
     */
    public long maxPermits() {
        return limit.maxPermitsPerRequest();
    }

    /** @return how many 8-byte state words one key needs */
    public abstract int stateWords();

    /**
     * The decision, as a pure step: whether {@code permits} are admitted at {@code now} given the
     * key's state, and the state that admitting them leaves.
     *
     * @param state the key's state words (word 0 is {@code head}, others are read through it)
     * @param base where the key's state starts in {@code state}
     * @param head word 0, as the store loaded it (acquire)
     * @param facts when non-null, receives the decision's figures (check index 0)
     * @return the next word 0 (never 0) when admitted, else {@link #DENIED}
     */
    public abstract long next(StateWords state, int base, long head, long permits, long now, Decision facts);

    /**
     * @return the index of a state word other than word 0 that must be sealed (see {@link #sealed})
     *     before the step's next word 0 is published, or -1 when none; only the sliding window has one
     */
    public int sealIndex(long head, long now) {
        return -1;
    }

    /**
     * @return the value the word at {@link #sealIndex} must hold before {@code head} is replaced,
     *     given its current value {@code word}; {@code word} itself when nothing needs writing
     */
    public long sealed(long word, long head, long now) {
        return word;
    }

    /**
     * @param next the word 0 that {@link #next} published for the grant
     * @return the grant's identity, which {@link #refunded} needs; never 0
     */
    public long token(long next, long now) {
        return next;
    }

    /**
     * @return which state word a refund of the grant {@code token} changes now, or -1 when the grant
     *     no longer affects any decision and there is nothing to give back
     */
    public int refundIndex(StateWords state, int base, long token, long now) {
        return 0;
    }

    /**
     * Gives back permits granted with {@code token}, as exactly as the algorithm allows: afterwards
     * no future decision admits more than it would have had the grant never happened.
     *
     * @param index the word being changed, as {@link #refundIndex} chose it
     * @param word its current value
     * @return its value after the refund; {@code word} itself when there is nothing to change
     */
    public abstract long refunded(int index, long word, long permits, long token, long now);

    /**
     * @return true when a refund always restores every future decision exactly (counting
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
     * @return how far (nanoseconds) callers' "now" values may lie apart and still be ordered by the
     *     key's state; {@link Long#MAX_VALUE} when the state holds full-range time. The limiter keeps
     *     every caller within a quarter of this of the latest time it has seen (see
     *     {@code time.StalenessFloor}).
     */
    public long horizonNanos() {
        return Long.MAX_VALUE;
    }

    /**
     * @return a word 0 value this kernel never publishes, which marks a key's state as frozen
     *     (moved to a newer table, see {@code table.TableRotation}); {@link Long#MIN_VALUE} unless a
     *     kernel says otherwise. A store never runs a step on it and never CASes from it.
     */
    public long frozenWord() {
        return Long.MIN_VALUE;
    }

    /**
     * Whether the key's state has decayed by the eviction mark {@code mark}: every decision, refund
     * and release at any time {@code t >= mark} (within the kernel's horizon) is the same on this
     * state as on a key never seen. A pure function of the state words, the mark and the limit;
     * conservative (false) when unsure. States that never decay (quotas, held leases, counts in
     * the current window) answer false.
     *
     * @param head word 0, as loaded (acquire); never {@link #frozenWord()}
     */
    public boolean decayedBy(StateWords state, int base, long head, long mark) {
        return head == 0;
    }

    /**
     * @param mark an eviction mark the state has not decayed by, near the key's time
     * @return the earliest time at which {@link #decayedBy} may turn true for this state, or
     *     {@link Long#MAX_VALUE} when never (on its own); used for an honest table-full retry-after
     */
    public long decaysAt(long head, long mark) {
        return head == 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /**
     * @return a kernel of the same algorithm, reading the same state layout, that enforces
     *     {@code override} instead: used for per-key overrides, so a key keeps its state
     * @throws IllegalArgumentException when the layout cannot represent the override
     */
    public abstract Kernel withLimit(Limit override);
}
