package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.kernel.StateWords;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The quota and cardinality kernels' pure steps on hand-made words: epoch &lt;&lt; 41 | used. Every
 * expected word follows from that layout and the rule "used + p &le; N between two resets".
 */
class QuotaKernelStepTest {
    private static final long EPOCH = 1L << 41;
    private static final Limit QUOTA = Limit.quota("q", 5).build();
    private static final QuotaKernel KERNEL = new QuotaKernel(QUOTA);
    private static final Limit MEMBERS = Limit.cardinality("c", 3).build();
    private static final CardinalityKernel CARD = new CardinalityKernel(MEMBERS);
    private static final StateWords NONE = (base, index) -> {
        throw new AssertionError("a one-word kernel reads only the head it is given");
    };

    private static void assertFacts(Decision d, Outcome outcome, long remaining, long retry, long reset) {
        assertEquals(outcome, d.outcome());
        assertEquals(0, d.checkIndex());
        assertEquals(remaining, d.remaining(), "remaining");
        assertEquals(retry, d.retryAfterNanos(), "retry-after");
        assertEquals(reset, d.resetAfterNanos(), "reset-after");
    }

    @Test
    void aQuotaAdmitsUpToExactlyNInTotal() {
        Decision d = new Decision();
        assertEquals(5, KERNEL.next(NONE, 0, 0L, 5, 7, d));
        assertSame(QUOTA, d.limit());
        assertFacts(d, Outcome.ALLOWED, 0, 0, Decision.NEVER);
        assertEquals(4, KERNEL.next(NONE, 0, 1L, 3, 7, d));
        assertFacts(d, Outcome.ALLOWED, 1, 0, Decision.NEVER);
        assertEquals(Kernel.DENIED, KERNEL.next(NONE, 0, 3L, 3, 7, d));
        assertFacts(d, Outcome.LIMITED, 2, Decision.NEVER, Decision.NEVER);
        assertEquals(Kernel.DENIED, KERNEL.next(NONE, 0, 5L, 1, 7, null));
        assertEquals(2 * EPOCH + 5, KERNEL.next(NONE, 0, 2 * EPOCH + 4, 1, 7, null));
        assertEquals(1, KERNEL.stateWords());
    }

    @Test
    void moreUsedThanALoweredLimitLeavesNothing() {
        Decision d = new Decision();
        assertEquals(Kernel.DENIED, KERNEL.next(NONE, 0, EPOCH + 7, 1, 7, d));
        assertFacts(d, Outcome.LIMITED, 0, Decision.NEVER, Decision.NEVER);
    }

    @Test
    void aRefundGivesBackWithinTheSameEpochOnly() {
        long token = KERNEL.token(EPOCH + 3, 0);
        assertEquals(EPOCH + 3, token);
        assertEquals(0, KERNEL.refundIndex(NONE, 0, token, 0));
        assertEquals(EPOCH + 1, KERNEL.refunded(0, EPOCH + 4, 3, token, 0));
        // never below zero: at most what is counted comes back
        assertEquals(EPOCH, KERNEL.refunded(0, EPOCH + 2, 3, token, 0));
        // after a reset the permits are gone with their epoch
        assertEquals(2 * EPOCH + 4, KERNEL.refunded(0, 2 * EPOCH + 4, 3, token, 0));
        assertEquals(true, KERNEL.exactRefund());
        assertEquals(0, KERNEL.commitOrder());
    }

    @Test
    void aResetStartsTheNextEpochWithNothingUsed() {
        assertEquals(EPOCH, KERNEL.resetWord(0L));
        assertEquals(3 * EPOCH, KERNEL.resetWord(2 * EPOCH + 5));
        assertEquals(5, QuotaKernel.used(2 * EPOCH + 5));
        assertEquals((1L << 23) - 1, QuotaKernel.LAST_EPOCH);
        Kernel raised = KERNEL.withLimit(QUOTA.withPermits(9));
        assertInstanceOf(QuotaKernel.class, raised);
        assertEquals(9, raised.next(NONE, 0, 5L, 4, 0, null));
    }

    @Test
    void aMemberMarkNamesTheParentsEpochAndTheRemapBits() {
        assertEquals((2 << 3) | (2 << 1) | 1, CardinalityKernel.mark(2 * EPOCH + 7, 2));
        assertEquals(1, CardinalityKernel.mark(0L, 0));
    }

    @Test
    void anExistingMemberIsAdmittedWithoutCounting() {
        Decision d = new Decision();
        long parent = EPOCH + 3;                         // full: 3 of 3 members
        long member = CardinalityKernel.mark(parent, 1);
        assertEquals(parent, CARD.admitNext(parent, member, 1, d));
        assertSame(MEMBERS, d.limit());
        assertFacts(d, Outcome.ALLOWED, 0, 0, Decision.NEVER);
        assertEquals(EPOCH + 2, CARD.admitNext(EPOCH + 2, CardinalityKernel.mark(EPOCH, 0), 0, d));
        assertFacts(d, Outcome.ALLOWED, 1, 0, Decision.NEVER);
        // more members than a lowered limit: never a negative figure
        assertEquals(EPOCH + 5, CARD.admitNext(EPOCH + 5, CardinalityKernel.mark(EPOCH, 0), 0, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, Decision.NEVER);
        assertEquals(parent, CARD.admitNext(parent, member, 1, null));
    }

    @Test
    void aNewMemberIsCountedUpToN() {
        Decision d = new Decision();
        assertEquals(EPOCH + 3, CARD.admitNext(EPOCH + 2, 0L, 0, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, Decision.NEVER);
        assertEquals(Kernel.DENIED, CARD.admitNext(EPOCH + 3, 0L, 0, d));
        assertFacts(d, Outcome.LIMITED, 0, Decision.NEVER, Decision.NEVER);
        assertEquals(Kernel.DENIED, CARD.admitNext(EPOCH + 3, 0L, 0, null));
        assertEquals(1, CARD.admitNext(0L, 0L, 0, null));
    }

    @Test
    void aMarkFromAnotherEpochOrRemapIsNotAMember() {
        long parent = 2 * EPOCH + 3;
        // marked in epoch 1: a reset since unmarked it, and the parent is full
        assertEquals(Kernel.DENIED, CARD.admitNext(parent, CardinalityKernel.mark(EPOCH, 0), 0, null));
        // the same epoch but another pair's remap bits
        assertEquals(Kernel.DENIED, CARD.admitNext(parent, CardinalityKernel.mark(parent, 1), 0, null));
    }

    @Test
    void aLostRaceUncountsWithinTheEpochAndReportsAnExistingMember() {
        assertEquals(EPOCH + 2, CARD.uncounted(EPOCH + 3, EPOCH + 3));
        assertEquals(EPOCH, CARD.uncounted(EPOCH, EPOCH + 1));
        assertEquals(2 * EPOCH + 3, CARD.uncounted(2 * EPOCH + 3, EPOCH + 3));
        Decision d = new Decision();
        CARD.alreadyMember(EPOCH + 1, d);
        assertSame(MEMBERS, d.limit());
        assertFacts(d, Outcome.ALLOWED, 2, 0, Decision.NEVER);
        CARD.alreadyMember(EPOCH + 4, d);
        assertFacts(d, Outcome.ALLOWED, 0, 0, Decision.NEVER);
        CARD.alreadyMember(EPOCH + 1, null);
    }

    @Test
    void membersAreNeverAdmittedAsPermitsNorRefunded() {
        assertThrows(UnsupportedOperationException.class, () -> CARD.next(NONE, 0, 0L, 1, 0, null));
        assertEquals(-1, CARD.refundIndex(NONE, 0, EPOCH + 1, 0));
        assertEquals(EPOCH + 3, CARD.refunded(0, EPOCH + 3, 1, EPOCH + 3, 0));
        assertEquals(false, CARD.exactRefund());
        assertEquals(2, CARD.commitOrder());
        assertInstanceOf(CardinalityKernel.class, CARD.withLimit(MEMBERS.withPermits(4)));
        assertEquals(4, CARD.withLimit(MEMBERS.withPermits(4)).limit().permits());
    }

    @Test
    void theLastEpochCannotBeResetPast() {
        long last = QuotaKernel.LAST_EPOCH << 41;
        assertThrows(IllegalStateException.class, () -> CARD.resetWord(last + 2));
        assertEquals(last, CARD.resetWord(last - EPOCH + 2));
    }
}
