package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.ConcurrencyKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.StateWords;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The concurrency kernel's pure steps on hand-made words. Generation g = floor(t / H); the word is
 * gen &lt;&lt; (2c + 1) | seen | prev &lt;&lt; c | cur with c count bits. For N = 3, c = 2: a word is
 * {@code gen << 5 | 16 | prev << 2 | cur} and S = 2^(64 - 5 - 2) generations.
 */
class ConcurrencyKernelStepTest {
    private static final Limit LIMIT = Limit.concurrency("c", 3, Duration.ofNanos(100)).build();
    private static final ConcurrencyKernel KERNEL = new ConcurrencyKernel(LIMIT);
    /** H = 1 ns: the generation is the time itself. */
    private static final ConcurrencyKernel NANO = new ConcurrencyKernel(Limit.concurrency("n", 3, Duration.ofNanos(1)).build());
    private static final long S = 1L << 57;
    private static final StateWords NONE = (base, index) -> {
        throw new AssertionError("a one-word kernel reads only the head it is given");
    };

    private static long word(long gen, long prev, long cur) {
        return (gen << 5) | 16 | (prev << 2) | cur;
    }

    private static long lease(long gen) {
        return gen ^ Long.MIN_VALUE;
    }

    private static long step(ConcurrencyKernel k, long head, long permits, long now, Decision facts) {
        return k.next(NONE, 0, head, permits, now, facts);
    }

    private static void assertFacts(Decision d, Outcome outcome, long remaining, long retry, long reset) {
        assertEquals(outcome, d.outcome());
        assertEquals(0, d.checkIndex());
        assertEquals(remaining, d.remaining(), "remaining");
        assertEquals(retry, d.retryAfterNanos(), "retry-after");
        assertEquals(reset, d.resetAfterNanos(), "reset-after");
    }

    @Test
    void layout() {
        assertEquals(1, KERNEL.stateWords());
        assertEquals(3, KERNEL.maxPermits());
        assertEquals(Long.MAX_VALUE, KERNEL.horizonNanos());           // 2^57 * 100 ns saturates
        assertEquals(S, NANO.horizonNanos());
        // the widest layout: 21 count bits, tag shift 43, S = 2^19 generations
        assertEquals((1L << 19) * 100, new ConcurrencyKernel(LIMIT, 1L << 30).horizonNanos());
        assertThrows(IllegalArgumentException.class, () -> new ConcurrencyKernel(
                Limit.concurrency("c", ConcurrencyKernel.MAX_IN_FLIGHT + 1, Duration.ofNanos(100)).build()));
        assertEquals((1L << 21) - 1, ConcurrencyKernel.MAX_IN_FLIGHT);
        assertEquals(ConcurrencyKernel.MAX_IN_FLIGHT, new ConcurrencyKernel(Limit.concurrency("c",
                ConcurrencyKernel.MAX_IN_FLIGHT, Duration.ofNanos(100)).build()).maxPermits());
        // N = 4: 3 count bits, so a word is gen << 7 | seen (1 << 6) | prev << 3 | cur
        ConcurrencyKernel four = new ConcurrencyKernel(Limit.concurrency("f", 4, Duration.ofNanos(100)).build());
        assertEquals((2L << 7) | 64 | 1, four.next(NONE, 0, 0L, 1, 250, null));
        assertEquals((3L << 7) | 64 | (1L << 3) | 3, four.next(NONE, 0, (2L << 7) | 64 | 1, 3, 300, null));
    }

    @Test
    void aFreshKeyCountsInTheCurrentGeneration() {
        Decision d = new Decision();
        assertEquals(word(2, 0, 2), step(KERNEL, 0L, 2, 250, d));
        assertSame(LIMIT, d.limit());
        // every lease of generation 2 is reclaimed when generation 4 starts
        assertFacts(d, Outcome.ALLOWED, 1, 0, 150);
        assertEquals(word(2, 0, 2), step(KERNEL, 0L, 2, 250, null));
    }

    @Test
    void bothGenerationsCountTowardsN() {
        Decision d = new Decision();
        assertEquals(word(2, 1, 2), step(KERNEL, word(2, 1, 1), 1, 260, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 140);
        // held 3: the older generation's 1 is dropped at generation 3, when 2 + 1 fit
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 1, 2), 1, 260, d));
        assertFacts(d, Outcome.LIMITED, 0, 40, 140);
        // 3 + 1 never fit beside the current count: only at generation 4
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 0, 3), 1, 260, d));
        assertFacts(d, Outcome.LIMITED, 0, 140, 140);
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 1, 1), 2, 260, d));
        assertFacts(d, Outcome.LIMITED, 1, 40, 140);
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 1, 2), 1, 260, null));
    }

    @Test
    void theNextGenerationKeepsTheCurrentCountAsTheOlderOne() {
        Decision d = new Decision();
        assertEquals(word(3, 2, 1), step(KERNEL, word(2, 1, 2), 1, 300, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 200);
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 1, 2), 2, 399, d));
        assertFacts(d, Outcome.LIMITED, 1, 1, 101);
    }

    @Test
    void twoGenerationsLaterEverythingIsReclaimed() {
        assertEquals(word(4, 0, 3), step(KERNEL, word(2, 1, 2), 3, 400, null));
        assertEquals(word(9, 0, 1), step(KERNEL, word(2, 1, 2), 1, 950, null));
    }

    @Test
    void aStaleCallerActsInTheKeysGeneration() {
        Decision d = new Decision();
        assertEquals(word(3, 1, 1), step(KERNEL, word(3, 1, 0), 1, 250, d));
        assertFacts(d, Outcome.ALLOWED, 1, 0, 250);
        assertEquals(Kernel.DENIED, step(KERNEL, word(3, 2, 1), 1, 250, d));
        assertFacts(d, Outcome.LIMITED, 0, 150, 250);
    }

    @Test
    void aKeySOrMoreGenerationsAheadIsAnIdleKeyWhoseTagWrapped() {
        assertEquals(Kernel.DENIED, step(NANO, word(S - 1, 0, 3), 1, 0, null));
        assertEquals(word(0, 0, 1), step(NANO, word(S, 0, 3), 1, 0, null));
    }

    @Test
    void aKeyGenerationBeyondTheClocksEndIsNotReadAsCurrent() {
        long last = Long.MAX_VALUE / 100;
        Decision d = new Decision();
        assertEquals(Kernel.DENIED, step(KERNEL, word(last, 0, 3), 1, (last - 1) * 100, d));
        assertFacts(d, Outcome.LIMITED, 0, Decision.NEVER, Decision.NEVER);
        assertEquals(word(last, 0, 1), step(KERNEL, word(last + 1, 0, 3), 1, last * 100, null));
    }

    @Test
    void theTokenIsTheFullGenerationAndNeverZero() {
        assertEquals(lease(3), KERNEL.token(word(3, 0, 2), 250));
        assertEquals(lease(2), KERNEL.token(word(2, 0, 2), 250));
        assertEquals(3, ConcurrencyKernel.generationOf(lease(3)));
        // the generation of Long.MIN_VALUE is moved up by one, so its token is 1, not 0
        long next = step(NANO, 0L, 1, Long.MIN_VALUE, null);
        assertEquals(word(Long.MIN_VALUE + 1, 0, 1), next);
        assertEquals(1L, NANO.token(next, Long.MIN_VALUE));
    }

    @Test
    void aLeaseIsReclaimedTwoGenerationsAfterItsOwn() {
        assertFalse(KERNEL.isReclaimed(lease(3), 499));
        assertTrue(KERNEL.isReclaimed(lease(3), 500));
        assertFalse(KERNEL.isReclaimed(lease(3), 250));
        // g - lease overflows to a large positive value: a lease from the far future is not reclaimed
        assertFalse(KERNEL.isReclaimed(lease(Long.MAX_VALUE), Long.MIN_VALUE));
    }

    @Test
    void aReleaseFarPastTheReclaimPointReadsNothing() {
        assertEquals(0, NANO.refundIndex(NONE, 0, lease(0), S - 1));
        assertEquals(-1, NANO.refundIndex(NONE, 0, lease(0), S));
        assertEquals(0, NANO.refundIndex(NONE, 0, lease(10), 5));
        // lease - now overflows: lease from the far future, g < lease
        assertEquals(0, NANO.refundIndex(NONE, 0, lease(Long.MAX_VALUE), Long.MIN_VALUE));
    }

    @Test
    void aReleaseFreesItsOwnGenerationsCountOnly() {
        long w = word(3, 2, 1);
        assertEquals(word(3, 2, 0), KERNEL.refunded(0, w, 1, lease(3), 310));
        assertEquals(word(3, 2, 0), KERNEL.refunded(0, w, 2, lease(3), 310));
        assertEquals(word(3, 1, 1), KERNEL.refunded(0, w, 1, lease(2), 310));
        assertEquals(word(3, 0, 1), KERNEL.refunded(0, w, 3, lease(2), 310));
        // reclaimed by a roll, or a lease of a generation the key has not reached
        assertEquals(w, KERNEL.refunded(0, w, 1, lease(1), 310));
        assertEquals(w, KERNEL.refunded(0, w, 1, lease(4), 310));
        assertEquals(0L, KERNEL.refunded(0, 0L, 1, lease(3), 310));
        assertEquals(3, KERNEL.held(w));
        assertEquals(true, KERNEL.exactRefund());
    }

    @Test
    void anOverrideSharesTheLayout() {
        ConcurrencyKernel wide = new ConcurrencyKernel(LIMIT, 3);
        assertThrows(IllegalArgumentException.class, () -> wide.withLimit(LIMIT.withPermits(4)));
        assertEquals(3, wide.withLimit(LIMIT.withPermits(3)).maxPermits());
        Kernel lowered = wide.withLimit(LIMIT.withPermits(2));
        assertEquals(2, lowered.maxPermits());
        assertEquals(Kernel.DENIED, lowered.next(NONE, 0, word(2, 1, 1), 1, 250, null));
        Decision d = new Decision();
        // held 3 > 2: the current generation's 1 + 1 fits once the older 2 are dropped at generation 3
        assertEquals(Kernel.DENIED, lowered.next(NONE, 0, word(2, 2, 1), 1, 250, d));
        assertFacts(d, Outcome.LIMITED, 0, 50, 150);
    }
}
