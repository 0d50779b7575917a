package dev.limiter.engine.internal.kernel;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * Cardinality: at most N distinct members admitted under each parent key ("100 users per
 * developer until verified").
 *
 * Two tables. The parent's slot holds a quota word (see QuotaKernel: epoch | members counted); a
 * second key table holds one slot per (parent, member) pair whose single word is the membership
 * mark:
 *
 *   member word = (parent epoch << 3) | (remapped << 1) | 1     admitted in that epoch
 *               = 0, another epoch or other remap bits        not a member (now)
 *
 * remapped (2 bits, PairKeys.remapped) tells apart the rare pairs whose fingerprint half was
 * remapped from the pair that owns the remapped value, as they share a member slot.
 *
 * Admission of member m under parent P (the store's admit loop; the decisions here are pure):
 *   1. read P (epoch e, count c) and m's word; if m is marked for e it is already a member:
 *      admitted, nothing changes (next() returns P's word unchanged);
 *   2. else if c + 1 > N: denied;
 *   3. else CAS P (e, c) -> (e, c+1), then CAS m's word -> mark(e). If another thread marked m for
 *      e first, give our increment back (exact: same epoch, a count) - the member was admitted
 *      once and counted once.
 * A member is marked only after the parent counted it, so every marked member of epoch e is in
 * e's count: distinct members admitted <= N. Two threads admitting the same new member at once may
 * both count it for a moment; the loser gives its count back, so this can only deny more, never
 * admit more. An operator reset starts a new epoch, which unmarks every member at once.
 *
 * Epochs never wrap: a mark of epoch e would read as current again after 2^23 resets, admitting a
 * member the fresh count does not hold. resetWord() refuses the reset past LAST_EPOCH instead.
 *
 * Refund in a composite decision keeps the member admitted: once marked, other requests may
 * already have been admitted as "already a member", so taking the mark back could admit one
 * member more than N. exactRefund() is false and composite decisions commit cardinality last, so a
 * request with one cardinality check never needs it refunded.
 *
 * Memory ordering: every word is read with acquire and written by CAS. The parent CAS
 * happens-before the member mark, so whoever sees the mark sees the count.
 */
/**
 * The cardinality kernel: distinct member keys admitted under one parent key &le; N (until an
 * operator resets the parent). Per parent: one word (24-byte slot); per (parent, member) pair: one
 * word in a second table (24-byte slot): 30 + 30 bytes per unit of capacity at load 0.8.
 */
public final class CardinalityKernel extends QuotaKernel {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    /** The token an admission returns for a member that was already admitted (nothing to refund). */
    public static final long ALREADY_MEMBER = -1L;

    /** @param limit a cardinality limit */
    public CardinalityKernel(Limit limit) {
        super(limit);
    }

    /**
     * @param remapped the pair's remap bits ({@code PairKeys.remapped})
     * @return the member word that marks a member of the parent word's epoch; never 0
     */
    public static long mark(long parentWord, int remapped) {
        return ((parentWord >>> USED_BITS) << 3) | ((long) remapped << 1) | 1L;
    }

    /**
     * The admission as a pure step over the parent's word and the member's mark.
     *
     * @return {@code parent} itself when the member is already admitted in this epoch, the parent's
     *     next word when it is admitted now (one more member), else {@link #DENIED}
     */
    public long admitNext(long parent, long member, int remapped, Decision facts) {
        long used = parent & USED_MASK;
        if (member == mark(parent, remapped)) {
            if (facts != null) {
                DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, Math.max(0, permits - used), 0L, Decision.NEVER);
            }
            return parent;
        }
        if (used + 1 > permits) {
            deny(facts, used);
            return DENIED;
        }
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, permits - used - 1, 0L, Decision.NEVER);
        }
        return parent + 1;
    }

    /** @return the parent word with one member uncounted, if it is still in {@code counted}'s epoch */
    public long uncounted(long word, long counted) {
        return super.refunded(0, word, 1, counted, 0L);
    }

    /** Writes the figures for a member that a racing thread admitted first, as for an existing member. */
    public void alreadyMember(long parent, Decision facts) {
        if (facts != null) {
            DECISIONS.set(facts, Outcome.ALLOWED, limit, 0, Math.max(0, permits - (parent & USED_MASK)), 0L, Decision.NEVER);
        }
    }

    /** Plain acquires do not apply: members are admitted through {@link #admitNext}. */
    @Override
    public long next(StateWords state, int base, long head, long p, long now, Decision facts) {
        throw new UnsupportedOperationException("limit '" + limit.name() + "' admits members, not permits");
    }

    /**
     * @throws IllegalStateException when the parent has been reset {@link #LAST_EPOCH} times: a
     *     further epoch would wrap onto an old one and revive its members' marks
     */
    @Override
    public long resetWord(long word) {
        if ((word >>> USED_BITS) == LAST_EPOCH) {
            throw new IllegalStateException("limit '" + limit.name() + "': this key has been reset "
                    + LAST_EPOCH + " times, the most its state can tell apart; nothing was changed");
        }
        return super.resetWord(word);
    }

    /** Keeps the member admitted: see the class comment. */
    @Override
    public int refundIndex(StateWords state, int base, long token, long now) {
        return -1;
    }

    @Override
    public long refunded(int index, long word, long p, long token, long now) {
        return word;
    }

    @Override
    public boolean exactRefund() {
        return false;
    }

    @Override
    public int commitOrder() {
        return 2;
    }

    @Override
    public Kernel withLimit(Limit override) {
        return new CardinalityKernel(override);
    }
}
