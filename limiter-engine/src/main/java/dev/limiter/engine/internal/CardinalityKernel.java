package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

/*
 * Cardinality: at most N distinct members admitted under each parent key ("100 users per
 * developer until verified").
 *
 * Two tables. The parent's slot holds a quota word (see QuotaKernel: epoch | members counted); a
 * second key table holds one slot per (parent, member) pair whose single word is the membership
 * mark:
 *
 *   member word = (parent epoch << 1) | 1     admitted in that epoch of the parent
 *               = 0 or another epoch          not a member (now)
 *
 * Admission of member m under parent P:
 *   1. read P (epoch e, count c) and m's word; if m is marked for e it is already a member:
 *      admitted, nothing changes;
 *   2. else if c + 1 > N: denied;
 *   3. else CAS P (e, c) -> (e, c+1), then CAS m's word -> mark(e). If another thread marked m for
 *      e first, give our increment back (exact: same epoch, a count) - the member was admitted
 *      once and counted once.
 * A member is marked only after the parent counted it, so every marked member of epoch e is in
 * e's count: distinct members admitted <= N. Two threads admitting the same new member at once may
 * both count it for a moment; the loser gives its count back, so this can only deny more, never
 * admit more. An operator reset starts a new epoch, which unmarks every member at once.
 *
 * Refund in a composite decision keeps the member admitted: once marked, other requests may
 * already have been admitted as "already a member", so taking the mark back could admit one
 * member more than N. exactRefund() is false and composite decisions commit cardinality last, so a
 * request with one cardinality check never needs it refunded.
 *
 * Memory ordering: every word is read with getLongVolatile and written by compareAndSetLong. The
 * parent CAS happens-before the member mark, so whoever sees the mark sees the count.
 */
/**
 * The cardinality kernel: distinct member keys admitted under one parent key &le; N (until an
 * operator resets the parent). Per parent: one word (24-byte slot); per (parent, member) pair: one
 * word in a second table (24-byte slot): 30 + 30 bytes per unit of capacity at load 0.8.
 */
public final class CardinalityKernel extends QuotaKernel {
    /** The token {@link #admit} returns for a member that was already admitted (nothing to refund). */
    public static final long ALREADY_MEMBER = -1L;

    public CardinalityKernel(Limit limit) {
        super(limit);
    }

    private static long mark(long parentWord) {
        return ((parentWord >>> USED_BITS) << 1) | 1L;
    }

    /**
     * Admits {@code member} (its word at {@code memberBuffer, memberOffset}) under the parent at
     * {@code buffer, offset}.
     *
     * @return a non-zero token when admitted ({@link #ALREADY_MEMBER} when it already was), else
     *     {@link #DENIED}
     */
    public long admit(AtomicBuffer buffer, int offset, AtomicBuffer memberBuffer, int memberOffset, Decision into) {
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long used = word & USED_MASK;
            long mark = mark(word);
            long member = memberBuffer.getLongVolatile(memberOffset);
            if (member == mark) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, Math.max(0, permits - used), 0L, Decision.NEVER);
                }
                return ALREADY_MEMBER;
            }
            if (used + 1 > permits) {
                deny(into, used);
                return DENIED;
            }
            long next = word + 1;
            if (!buffer.compareAndSetLong(offset, word, next)) {
                continue;
            }
            for (;;) {
                long m = memberBuffer.getLongVolatile(memberOffset);
                if (m == mark) {                       // another thread admitted it first: one count suffices
                    super.refund(buffer, offset, 1, next, 0L);
                    if (into != null) {
                        into.set(Outcome.ALLOWED, limit, 0, Math.max(0, permits - used), 0L, Decision.NEVER);
                    }
                    return ALREADY_MEMBER;
                }
                if (memberBuffer.compareAndSetLong(memberOffset, m, mark)) {
                    if (into != null) {
                        into.set(Outcome.ALLOWED, limit, 0, permits - used - 1, 0L, Decision.NEVER);
                    }
                    return next;
                }
            }
        }
    }

    /** Read-only twin of {@link #admit}: 0 when the member would be admitted, else {@link Decision#NEVER}. */
    public long peekMember(AtomicBuffer buffer, int offset, AtomicBuffer memberBuffer, int memberOffset,
                           Decision into) {
        long word = buffer.getLongVolatile(offset);
        long used = word & USED_MASK;
        if (memberBuffer.getLongVolatile(memberOffset) == mark(word) || used + 1 <= permits) {
            return 0L;
        }
        deny(into, used);
        return Decision.NEVER;
    }

    /** Keeps the member admitted: see the class comment. */
    @Override
    public void refund(AtomicBuffer buffer, int offset, long p, long token, long now) {
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
