package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * Quota: a total that never replenishes by itself; only an operator resets it (reset) or raises it
 * (a per-key override).
 *
 * State word:
 *
 *    63            41 40                     0
 *   +----------------+------------------------+
 *   | epoch (23 bits)|  used (41 bits)        |
 *   +----------------+------------------------+
 *
 * used <= 2^40 = Limit.MAX_PERMITS always fits, so a raise never needs a new layout. The epoch
 * counts operator resets: a reset turns (e, used) into (e+1, 0), and a refund (composite decisions)
 * subtracts only while the epoch is the one it was granted in, so a permit consumed before a reset
 * is never handed back into the fresh total. All zero = a key never seen (epoch 0, nothing used).
 *
 * Guarantee: between two resets, the permits granted to a key total at most N (its current limit).
 *
 * Memory ordering: the store reads the word with acquire and writes it only by CAS; a denial
 * writes nothing. One word, so every decision is one linearisable CAS.
 */
/**
 * The quota kernel: total granted &le; N until an operator resets the key (or raises N); one 64-bit
 * word per key (24-byte slot, 30 bytes per key of capacity).
 */
public class QuotaKernel extends Kernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    static final int USED_BITS = 41;
    static final long USED_MASK = (1L << USED_BITS) - 1;
    static final long EPOCH_UNIT = 1L << USED_BITS;
    /** The epoch of the last reset a key can take (2^23 - 1); see {@link #resetWord}. */
    public static final long LAST_EPOCH = (-1L >>> USED_BITS);

    /** The permits (or members) one key may hold in total. */
    protected final long permits;

    /** @param limit a quota (or cardinality) limit */
    public QuotaKernel(Limit limit) {
        super(limit);
        this.permits = limit.permits();
    }

    /** Epoch 2^23 - 1 with 2^41 - 1 used: never published, since used &le; 2^40. */
    @Override
    public long frozenWord() {
        return -1L;
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public long next(StateWords state, int base, long head, long p, long now, Decision facts) {
        long used = head & USED_MASK;
        if (used + p > permits) {
            deny(facts, used);
            return DENIED;
        }
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, permits - used - p, 0L, Decision.NEVER);
        }
        return head + p;
    }

    /** A quota is exhausted until an operator acts: retry-after is {@link Decision#NEVER}. */
    protected final void deny(Decision facts, long used) {
        if (facts != null) {
            DECISIONS.set(facts, Outcome.LIMITED, limit, 0, Math.max(0, permits - used), Decision.NEVER, Decision.NEVER);
        }
    }

    /** Exact: subtracts from the same epoch's total; after a reset there is nothing to give back. */
    @Override
    public long refunded(int index, long word, long p, long token, long now) {
        if ((word & ~USED_MASK) != (token & ~USED_MASK)) {
            return word;
        }
        return word - Math.min(p, word & USED_MASK);
    }

    /**
     * The operator's reset as a pure step: the key starts a fresh total (a new epoch) with nothing
     * used.
     *
     * @return the word after the reset
     */
    public long resetWord(long word) {
        return (word & ~USED_MASK) + EPOCH_UNIT;
    }

    /** @return the permits used in the current epoch of a state word */
    public static long used(long word) {
        return word & USED_MASK;
    }

    @Override
    public Kernel withLimit(Limit override) {
        return new QuotaKernel(override);
    }
}
