package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.SlidingWindowKernel;
import dev.limiter.engine.internal.kernel.StateWords;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The sliding window's pure steps on hand-made state words. N = 4 per 100 ns in k = 4 sub-windows:
 * w = 25 ns, R = 5 ring slots, 3 count bits. head(u, c) = u &lt;&lt; 3 | (c + 1); a sealed slot of
 * sub-window x is x &lt;&lt; 3 | c in ring[x mod 5]. p permits are admitted at sub-window u iff
 * count(u-4) + ... + count(u-1) + count(u) + p &le; 4.
 */
class SlidingWindowKernelStepTest {
    private static final Limit LIMIT = Limit.slidingWindow("s", 4, Duration.ofNanos(100)).subWindows(4).build();
    private static final SlidingWindowKernel KERNEL = new SlidingWindowKernel(LIMIT);
    private static final int RING = SlidingWindowKernel.RING;

    private static long head(long u, long count) {
        return (u << 3) | (count + 1);
    }

    private static long sealed(long x, long count) {
        return (x << 3) | count;
    }

    /** @return state words: head, then ring[0..4] */
    private static long[] state(long head, long... ring) {
        long[] words = new long[6];
        words[0] = head;
        System.arraycopy(ring, 0, words, 1, ring.length);
        return words;
    }

    /** Reads at base 2 so that an implementation ignoring base reads the wrong words. */
    private static StateWords view(long[] words) {
        return (base, index) -> {
            assertEquals(2, base);
            return words[index];
        };
    }

    private static long step(long[] words, long permits, long now, Decision facts) {
        return KERNEL.next(view(words), 2, words[0], permits, now, facts);
    }

    private static void assertFacts(Decision d, Outcome outcome, long remaining, long retry, long reset) {
        assertEquals(outcome, d.outcome());
        assertEquals(0, d.checkIndex());
        assertEquals(remaining, d.remaining(), "remaining");
        assertEquals(retry, d.retryAfterNanos(), "retry-after");
        assertEquals(reset, d.resetAfterNanos(), "reset-after");
    }

    /**
     * Sub-window 10 ([250, 275)) holds 1; its window is 6 .. 9: 6 holds 1, 8 holds 1, 7 and 9
     * nothing. ring[0] holds sub-window 5 (3 permits), which has left the window.
     */
    private static long[] busy() {
        return state(head(10, 1), sealed(5, 3), sealed(6, 1), 0L, sealed(8, 1), 0L);
    }

    @Test
    void layout() {
        assertEquals(25, KERNEL.widthNanos());
        assertEquals(4, KERNEL.subWindows());
        assertEquals(6, KERNEL.stateWords());
        assertEquals(4, KERNEL.maxPermits());
        assertEquals(Long.MAX_VALUE, KERNEL.horizonNanos());      // 2^59 * 25 ns saturates
        assertEquals((1L << 30) * 25, new SlidingWindowKernel(LIMIT, SlidingWindowKernel.MAX_EXACT_PERMITS).horizonNanos());
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowKernel(LIMIT, 3));
        assertEquals(34, new SlidingWindowKernel(Limit.slidingWindow("w", 100, Duration.ofNanos(100)).subWindows(3).build())
                .widthNanos());
    }

    @Test
    void aFreshKeyOpensNowsSubWindow() {
        Decision d = new Decision();
        long[] words = state(0L);
        assertEquals(head(2, 2), step(words, 2, 60, d));
        // every permit so far has left the window when sub-window 2 + 4 + 1 = 7 starts, at 175
        assertFacts(d, Outcome.ALLOWED, 2, 0, 115);
        assertEquals(head(2, 2), step(words, 2, 60, null));
    }

    @Test
    void theWholeWindowCountsButNotTheSubWindowBeforeIt() {
        Decision d = new Decision();
        // 1 + 1 + 1 in the window, + 1 = 4
        assertEquals(head(10, 2), step(busy(), 1, 260, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 115);
    }

    @Test
    void aDenialSaysWhenEnoughOldPermitsHaveLeft() {
        Decision d = new Decision();
        // 3 + 2 = 5: one too many; sub-window 6 leaves when 11 starts, at 275
        assertEquals(Kernel.DENIED, step(busy(), 2, 260, d));
        assertFacts(d, Outcome.LIMITED, 1, 15, 115);
        // two too many: 6 and 8 must leave, when 13 starts, at 325
        assertEquals(Kernel.DENIED, step(busy(), 3, 260, d));
        assertFacts(d, Outcome.LIMITED, 1, 65, 115);
        // three too many: the head's own permit must leave too, when 15 starts, at 375
        assertEquals(Kernel.DENIED, step(busy(), 4, 260, d));
        assertFacts(d, Outcome.LIMITED, 1, 115, 115);
        assertEquals(Kernel.DENIED, step(busy(), 2, 260, null));
    }

    @Test
    void theRetryWalksTheRingPastItsLastSlot() {
        Decision d = new Decision();
        // head at 13 (empty); window 9 .. 12 = 2 (ring[4]) + 1 (ring[0]) + 0 + 1 (ring[2]) = 4
        long[] words = state(head(13, 0), sealed(10, 1), 0L, sealed(12, 1), sealed(8, 3), sealed(9, 2));
        assertEquals(Kernel.DENIED, step(words, 3, 325, d));
        // three too many: 9 (2) and 10 (1) must leave, when 15 starts, at 375; all by 18, at 450
        assertFacts(d, Outcome.LIMITED, 0, 50, 125);
    }

    @Test
    void aSlotWithAnotherSubWindowsTagCountsAsEmpty() {
        // ring[3] holds sub-window 3 (8 - 5): stale, not sub-window 8
        long[] words = state(head(10, 1), sealed(5, 3), sealed(6, 1), 0L, sealed(3, 1), 0L);
        assertEquals(head(10, 3), step(words, 2, 260, null));
    }

    @Test
    void aRollCountsTheUnsealedHeadAndSealsItFirst() {
        Decision d = new Decision();
        // head in 8 with 2; caller at 10: window 6 .. 9 = 1 (6) + 2 (8, from the head) = 3
        long[] words = state(head(8, 2), sealed(5, 3), sealed(6, 1), 0L, sealed(8, 1), 0L);
        assertEquals(head(10, 1), step(words, 1, 260, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 115);
        assertEquals(Kernel.DENIED, step(words, 2, 260, d));
        // one too many: 6 leaves at 275
        assertFacts(d, Outcome.LIMITED, 1, 15, 115);
        assertEquals(Kernel.DENIED, step(words, 3, 260, d));
        // two too many: 6 and 8 (the head's 2) leave by 325
        assertFacts(d, Outcome.LIMITED, 1, 65, 115);
        assertEquals(RING + 3, KERNEL.sealIndex(head(8, 2), 260));
        // a sealed count larger than the head's (a faster roller's) wins
        words[RING + 3] = sealed(8, 3);
        assertEquals(Kernel.DENIED, step(words, 1, 260, null));
    }

    @Test
    void theRetryOfARollCountsTheUnsealedHead() {
        Decision d = new Decision();
        // head in 8 with 2, not sealed yet; caller at 10: window 6 .. 9 = 1 (6) + 2 (8) = 3
        long[] words = state(head(8, 2), 0L, sealed(6, 1), 0L, 0L, 0L);
        assertEquals(Kernel.DENIED, step(words, 3, 260, d));
        // two too many: 6 and the head's 2 (sub-window 8) leave by 325
        assertFacts(d, Outcome.LIMITED, 1, 65, 115);
    }

    @Test
    void aKeySOrMoreSubWindowsAheadIsAnIdleKeyWhoseTagWrapped() {
        // w = 1 ns: the sub-window index is the time itself; S = 2^59 sub-windows
        SlidingWindowKernel nano = new SlidingWindowKernel(
                Limit.slidingWindow("n", 4, Duration.ofNanos(4)).subWindows(4).build());
        long s = 1L << 59;
        long[] words = state(head(s - 1, 4));
        assertEquals(Kernel.DENIED, nano.next(view(words), 2, words[0], 1, 0, null));
        words = state(head(s, 4));
        assertEquals(head(0, 1), nano.next(view(words), 2, words[0], 1, 0, null));
    }

    @Test
    void aRollFartherThanTheWindowStartsAfresh() {
        long[] words = state(head(5, 3), 0L, sealed(6, 1), 0L, 0L, 0L);
        // 5 is k = 4 sub-windows before 9: still in the window 5 .. 8, counted from the unsealed head
        assertEquals(Kernel.DENIED, step(words, 1, 9 * 25, null));
        assertEquals(RING, KERNEL.sealIndex(head(5, 3), 9 * 25));
        // from 10 on it has left: only 6 (1) counts
        assertEquals(head(10, 3), step(words, 3, 250, null));
        assertEquals(-1, KERNEL.sealIndex(head(5, 3), 250));
    }

    @Test
    void sealIndexIsOnlyForARollWithinTheWindow() {
        assertEquals(-1, KERNEL.sealIndex(0L, 250));
        assertEquals(-1, KERNEL.sealIndex(head(10, 1), 250));
        assertEquals(-1, KERNEL.sealIndex(head(11, 1), 250));
        assertEquals(RING + 4, KERNEL.sealIndex(head(9, 1), 250));
        assertEquals(RING + 1, KERNEL.sealIndex(head(6, 1), 250));
        assertEquals(RING + 4, KERNEL.sealIndex(head(-1, 1), 0));
    }

    @Test
    void aSealMaxMergesIntoTheSlot() {
        long head = head(8, 2);
        assertEquals(sealed(8, 2), KERNEL.sealed(0L, head, 260));
        assertEquals(sealed(8, 2), KERNEL.sealed(sealed(8, 1), head, 260));
        assertEquals(sealed(8, 2), KERNEL.sealed(sealed(8, 2), head, 260));
        assertEquals(sealed(8, 3), KERNEL.sealed(sealed(8, 3), head, 260));
        assertEquals(sealed(8, 2), KERNEL.sealed(sealed(3, 4), head, 260));
    }

    @Test
    void aStaleCallerActsInTheKeysSubWindow() {
        Decision d = new Decision();
        // key at 12, caller at 10: the window is 8 .. 11, holding 1 (8)
        long[] words = state(head(12, 1), sealed(5, 3), sealed(6, 1), 0L, sealed(8, 1), 0L);
        assertEquals(head(12, 3), step(words, 2, 250, d));
        // reset when 17 starts, at 425
        assertFacts(d, Outcome.ALLOWED, 0, 0, 175);
        assertEquals(-1, KERNEL.sealIndex(head(12, 1), 250));
    }

    @Test
    void aKeySubWindowBeyondTheClocksEndIsNotReadAsCurrent() {
        long last = Long.MAX_VALUE / 25;
        Decision d = new Decision();
        long[] words = state(head(last, 4));
        assertEquals(Kernel.DENIED, step(words, 1, (last - 1) * 25, d));
        assertFacts(d, Outcome.LIMITED, 0, Decision.NEVER, Decision.NEVER);
        words = state(head(last + 1, 4));
        assertEquals(head(last, 1), step(words, 1, last * 25, null));
    }

    @Test
    void aRefundTakesFromTheHeadWhileItHoldsTheGrantsSubWindow() {
        long token = KERNEL.token(head(10, 2), 260);
        long[] words = busy();
        words[0] = head(10, 3);
        assertEquals(0, KERNEL.refundIndex(view(words), 2, token, 260));
        assertEquals(head(10, 1), KERNEL.refunded(0, head(10, 3), 2, token, 260));
        assertEquals(head(10, 0), KERNEL.refunded(0, head(10, 2), 2, token, 260));
        assertEquals(head(10, 1), KERNEL.refunded(0, head(10, 1), 2, token, 260));
        assertEquals(head(11, 3), KERNEL.refunded(0, head(11, 3), 2, token, 280));
    }

    @Test
    void aRefundAfterTheHeadMovedTakesFromTheGrantsSealedSlot() {
        long token = head(8, 2);
        long[] words = state(head(10, 1));
        // u = 8 lives in ring[3]; a caller's now may be behind or ahead of the head
        assertEquals(RING + 3, KERNEL.refundIndex(view(words), 2, token, 260));
        assertEquals(RING + 3, KERNEL.refundIndex(view(words), 2, token, 240));
        assertEquals(RING + 3, KERNEL.refundIndex(view(words), 2, token, 300));
        assertEquals(RING + 4, KERNEL.refundIndex(view(words), 2, head(-1, 1), 260));
        // head at 11, grant at 9: ring[4], whichever side of the head the caller's now lies
        words = state(head(11, 1));
        assertEquals(RING + 4, KERNEL.refundIndex(view(words), 2, head(9, 2), 280));
        assertEquals(RING + 4, KERNEL.refundIndex(view(words), 2, head(9, 2), 260));
        assertEquals(sealed(8, 1), KERNEL.refunded(RING + 3, sealed(8, 2), 1, token, 260));
        assertEquals(sealed(8, 0), KERNEL.refunded(RING + 3, sealed(8, 2), 3, token, 260));
        assertEquals(sealed(3, 2), KERNEL.refunded(RING + 3, sealed(3, 2), 1, token, 260));
    }

    @Test
    void aLimitAboveTheExactRangeCountsInUnits() {
        long n = (1L << 33) + 3;     // 34 bits needed, 32 kept: units of 4 permits, 2^31 of them
        SlidingWindowKernel big = new SlidingWindowKernel(
                Limit.slidingWindow("b", n, Duration.ofNanos(100)).subWindows(4).build());
        assertEquals(1L << 33, big.maxPermits());
        long[] words = state(0L);
        Decision d = new Decision();
        // 5 permits cost ceil(5 / 4) = 2 units
        long next = big.next(view(words), 2, 0L, 5, 60, d);
        assertEquals((2L << 32) | 3, next);
        assertEquals(((1L << 31) - 2) << 2, d.remaining());
        assertEquals((2L << 32) | 2, big.next(view(words), 2, 0L, 4, 60, null));
        assertEquals((2L << 32) | 2, big.next(view(words), 2, 0L, 1, 60, null));
        assertEquals((2L << 32) | 1, big.refunded(0, next, 5, next, 60));
        // 2^31 - 1 units counted: one unit (4 permits) remains, so 5 permits are denied
        long full = (2L << 32) | (1L << 31);
        assertEquals(Kernel.DENIED, big.next(view(state(full)), 2, full, 5, 60, d));
        assertEquals(4, d.remaining());
        assertEquals(0, big.refundIndex(view(state(next)), 2, next, 60));
    }

    @Test
    void anOverrideSharesTheLayout() {
        SlidingWindowKernel wide = new SlidingWindowKernel(LIMIT, 6);    // 3 count bits hold 0..7
        assertThrows(IllegalArgumentException.class, () -> wide.withLimit(LIMIT.withPermits(7)));
        Kernel raised = wide.withLimit(LIMIT.withPermits(6));
        assertEquals(6, raised.limit().permits());
        assertEquals(head(10, 3), raised.next(view(busy()), 2, busy()[0], 2, 260, null));
        Kernel lowered = wide.withLimit(LIMIT.withPermits(2));
        Decision d = new Decision();
        // 3 in the window, N = 2: nothing remains, and one more fits once 6 and 8 have left,
        // when 13 starts
        assertEquals(Kernel.DENIED, lowered.next(view(busy()), 2, busy()[0], 1, 260, d));
        assertFacts(d, Outcome.LIMITED, 0, 65, 115);
    }
}
