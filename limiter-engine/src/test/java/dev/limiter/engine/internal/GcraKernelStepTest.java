package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.GcraKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.StateWords;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The token bucket's pure step on hand-made state words, every expected figure worked out from the
 * GCRA definition: with I = ceil(T / N) and tau = burst * I, p permits are admitted at t iff
 * max(TAT, t) + p*I - t &le; tau, and the word holds TAT ^ Long.MIN_VALUE.
 *
 * <p>The limit below is 10 permits per 1000 ns with burst 5: I = 100 ns, tau = 500 ns.
 */
class GcraKernelStepTest {
    private static final Limit LIMIT = Limit.tokenBucket("g", 10, Duration.ofNanos(1000)).burst(5).build();
    private static final GcraKernel KERNEL = new GcraKernel(LIMIT);
    private static final StateWords NONE = (base, index) -> {
        throw new AssertionError("a one-word kernel reads only the head it is given");
    };

    private static long word(long tat) {
        return tat ^ Long.MIN_VALUE;
    }

    private static long step(long head, long permits, long now, Decision facts) {
        return KERNEL.next(NONE, 0, head, permits, now, facts);
    }

    private static void assertFacts(Decision d, Outcome outcome, long remaining, long retry, long reset) {
        assertEquals(outcome, d.outcome());
        assertSame(LIMIT, d.limit());
        assertEquals(0, d.checkIndex());
        assertEquals(remaining, d.remaining(), "remaining");
        assertEquals(retry, d.retryAfterNanos(), "retry-after");
        assertEquals(reset, d.resetAfterNanos(), "reset-after");
    }

    @Test
    void intervalIsThePeriodPerPermitRoundedUpAndMaxPermitsIsTheBurst() {
        assertEquals(100, KERNEL.intervalNanos());
        assertEquals(5, KERNEL.maxPermits());
        assertEquals(1, KERNEL.stateWords());
        assertEquals(334, new GcraKernel(Limit.tokenBucket("g", 3, Duration.ofNanos(1000)).build()).intervalNanos());
        // 7 permits per 10 ns: I = ceil(10/7) = 2, tau = 7 * 2 = 14, so one request can take all 7
        assertEquals(7, new GcraKernel(Limit.tokenBucket("g", 7, Duration.ofNanos(10)).build()).maxPermits());
    }

    @Test
    void aFreshKeyIsAFullBucket() {
        Decision d = new Decision();
        // TAT = -inf: from = t = 1000, TAT' = 1200, ahead = 200, remaining = (500 - 200) / 100
        assertEquals(word(1200), step(0L, 2, 1000, d));
        assertFacts(d, Outcome.ALLOWED, 3, 0, 200);
        assertEquals(word(1200), step(0L, 2, 1000, null));
    }

    @Test
    void aBurstThatExactlyFillsTheToleranceIsAdmitted() {
        Decision d = new Decision();
        // TAT = 1300 at t = 1000: backlog 300, + 200 = 500 = tau
        assertEquals(word(1500), step(word(1300), 2, 1000, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 500);
        assertEquals(word(1500), step(word(1000), 5, 1000, null));
    }

    @Test
    void aTatInThePastCountsFromNow() {
        Decision d = new Decision();
        // TAT = 400 < t = 1000: the bucket refilled completely, TAT' = 1000 + 100
        assertEquals(word(1100), step(word(400), 1, 1000, d));
        assertFacts(d, Outcome.ALLOWED, 4, 0, 100);
    }

    @Test
    void oneNanosecondOverTheToleranceIsDenied() {
        Decision d = new Decision();
        // backlog 301 + 200 = 501 > 500; remaining floor(199 / 100) = 1; retry when backlog is 300
        assertEquals(Kernel.DENIED, step(word(1301), 2, 1000, d));
        assertFacts(d, Outcome.LIMITED, 1, 1, 301);
        assertEquals(Kernel.DENIED, step(word(1301), 2, 1000, null));
    }

    @Test
    void aRequestLargerThanTheBacklogWaitsOnlyForTheExcess() {
        Decision d = new Decision();
        // backlog 250 < cost 300, 550 > 500: retry when the backlog is 200, 50 ns later
        assertEquals(Kernel.DENIED, step(word(1250), 3, 1000, d));
        assertFacts(d, Outcome.LIMITED, 2, 50, 250);
    }

    @Test
    void aFullBucketHasNothingLeft() {
        Decision d = new Decision();
        // backlog = tau = 500: nothing remains, one permit fits again 100 ns later
        assertEquals(Kernel.DENIED, step(word(1500), 1, 1000, d));
        assertFacts(d, Outcome.LIMITED, 0, 100, 500);
    }

    @Test
    void aBacklogBeyondTheToleranceIsDeniedWithoutWrapping() {
        Decision d = new Decision();
        // backlog 600 > tau (a per-key override lowered the burst): tau - backlog must not wrap
        assertEquals(Kernel.DENIED, step(word(1600), 1, 1000, d));
        assertFacts(d, Outcome.LIMITED, 0, 200, 600);
    }

    @Test
    void theClocksEndBoundsAdmissionsAndTheirFigures() {
        Decision d = new Decision();
        long now = Long.MAX_VALUE - 201;
        // room = 201: two permits end one nanosecond before the clock's end
        assertEquals(word(Long.MAX_VALUE - 1), step(0L, 2, now, d));
        assertFacts(d, Outcome.ALLOWED, 3, 0, 200);

        now = Long.MAX_VALUE - 200;
        // room = 200: TAT' = Long.MAX_VALUE is never published (its word is eviction's frozen mark)
        assertEquals(Kernel.DENIED, step(0L, 2, now, d));
        assertFacts(d, Outcome.LIMITED, 1, Decision.NEVER, 0);

        now = Long.MAX_VALUE - 150;
        // room = 150: 2 * 100 does not fit before the clock's end, ever; remaining = 150 / 100
        assertEquals(Kernel.DENIED, step(0L, 2, now, d));
        assertFacts(d, Outcome.LIMITED, 1, Decision.NEVER, 0);
        assertEquals(word(Long.MAX_VALUE - 50), step(0L, 1, now, d));
        assertFacts(d, Outcome.ALLOWED, 4, 0, 100);
    }

    @Test
    void aBacklogWiderThanALongIsReportedClamped() {
        Decision d = new Decision();
        // TAT = 0, t = Long.MIN_VALUE + 1000: backlog = 2^63 - 1000 > tau, reported as is
        long now = Long.MIN_VALUE + 1000;
        assertEquals(Kernel.DENIED, step(word(0), 1, now, d));
        assertFacts(d, Outcome.LIMITED, 0, Long.MAX_VALUE - 999 - 500 + 100, Long.MAX_VALUE - 999);
        // TAT = 2^62, t = -2^62: backlog 2^63 does not fit a long and is clamped; the retry,
        // 2^63 + 100 - 500, does
        assertEquals(Kernel.DENIED, step(word(1L << 62), 1, -(1L << 62), d));
        assertFacts(d, Outcome.LIMITED, 0, Long.MAX_VALUE - 399, Long.MAX_VALUE);
        // 400 ns more backlog: the retry, 2^63, is clamped too
        assertEquals(Kernel.DENIED, step(word((1L << 62) + 400), 1, -(1L << 62), d));
        assertFacts(d, Outcome.LIMITED, 0, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    @Test
    void refundPutsTheCostBackOnlyWhileTheWordIsTheGrantsOwn() {
        long token = KERNEL.token(word(1200), 1000);
        assertEquals(word(1200), token);
        assertEquals(0, KERNEL.refundIndex(NONE, 0, token, 1000));
        // the grant moved TAT from max(TAT0, t0) = 1000 to 1200
        assertEquals(word(1000), KERNEL.refunded(0, word(1200), 2, token, 1000));
        // another caller moved the word: its share may have decayed, keep the permits consumed
        assertEquals(word(1300), KERNEL.refunded(0, word(1300), 2, token, 1000));
    }

    @Test
    void refundsAreInexactAndCommittedAfterTheCountingKernels() {
        assertEquals(false, KERNEL.exactRefund());
        assertEquals(1, KERNEL.commitOrder());
        assertEquals(Long.MAX_VALUE, KERNEL.horizonNanos());
        assertEquals(-1, KERNEL.sealIndex(word(1000), 1000));
        assertEquals(42L, KERNEL.sealed(42L, word(1000), 1000));
    }

    @Test
    void anOverrideKeepsTheLayoutAndEnforcesTheNewLimit() {
        Limit raised = LIMIT.toBuilder().burst(8).build();
        Kernel k = KERNEL.withLimit(raised);
        assertSame(raised, k.limit());
        assertEquals(8, k.maxPermits());
        // tau = 800 now: backlog 600 + 200 = 800 fits
        assertEquals(word(1800), k.next(NONE, 0, word(1600), 2, 1000, null));
    }
}
