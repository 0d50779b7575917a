package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.FixedWindowKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.StateWords;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fixed window's pure step on hand-made state words. Windows are [kT, (k+1)T); the word is
 * tag(k) &lt;&lt; countBits | (count + 1). For N = 3 the count field is 3 bits (it holds 1..4), so
 * a word is {@code k << 3 | (count + 1)} and S = 2^(64 - 3 - 2) windows.
 */
class FixedWindowKernelStepTest {
    private static final Limit LIMIT = Limit.fixedWindow("f", 3, Duration.ofNanos(100)).build();
    private static final FixedWindowKernel KERNEL = new FixedWindowKernel(LIMIT);
    /** 1 ns windows: the window index is the time itself, so tag distances are easy to write. */
    private static final FixedWindowKernel NANO = new FixedWindowKernel(Limit.fixedWindow("n", 3, Duration.ofNanos(1)).build());
    private static final long S = 1L << 59;
    private static final StateWords NONE = (base, index) -> {
        throw new AssertionError("a one-word kernel reads only the head it is given");
    };

    private static long word(long window, long count) {
        return (window << 3) | (count + 1);
    }

    private static long step(FixedWindowKernel k, long head, long permits, long now, Decision facts) {
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
    void layoutAndHorizon() {
        assertEquals(S, KERNEL.staleWindows());
        assertEquals(Long.MAX_VALUE, KERNEL.horizonNanos());      // 2^59 * 100 ns saturates
        assertEquals(S, NANO.horizonNanos());
        assertEquals(1, KERNEL.stateWords());
        assertEquals(1L << 57, new FixedWindowKernel(LIMIT, 16).staleWindows());   // 5 count bits
        assertThrows(IllegalArgumentException.class, () -> new FixedWindowKernel(LIMIT, 2));
    }

    @Test
    void aFreshKeyOpensTheCurrentWindow() {
        Decision d = new Decision();
        assertEquals(word(2, 2), step(KERNEL, 0L, 2, 250, d));
        assertSame(LIMIT, d.limit());
        assertFacts(d, Outcome.ALLOWED, 1, 0, 50);
        assertEquals(word(2, 2), step(KERNEL, 0L, 2, 250, null));
    }

    @Test
    void theWindowFillsToExactlyN() {
        Decision d = new Decision();
        assertEquals(word(2, 3), step(KERNEL, word(2, 2), 1, 260, d));
        assertFacts(d, Outcome.ALLOWED, 0, 0, 40);
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 2), 2, 260, d));
        assertFacts(d, Outcome.LIMITED, 1, 40, 40);
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 3), 1, 299, null));
    }

    @Test
    void theNextWindowStartsFromZero() {
        Decision d = new Decision();
        assertEquals(word(3, 1), step(KERNEL, word(2, 3), 1, 300, d));
        assertFacts(d, Outcome.ALLOWED, 2, 0, 100);
        assertEquals(word(7, 3), step(KERNEL, word(2, 3), 3, 777, null));
    }

    @Test
    void aStaleCallerIsCountedInTheKeysNewerWindow() {
        Decision d = new Decision();
        // key in window 3, caller at t = 250 (window 2): counted in window 3, which ends at 400
        assertEquals(word(3, 2), step(KERNEL, word(3, 1), 1, 250, d));
        assertFacts(d, Outcome.ALLOWED, 1, 0, 150);
        assertEquals(Kernel.DENIED, step(KERNEL, word(3, 3), 1, 250, d));
        assertFacts(d, Outcome.LIMITED, 0, 150, 150);
    }

    @Test
    void theRetryIsAtLeastOneNanosecond() {
        Decision d = new Decision();
        // the last instant of window 2: the window ends 1 ns later
        assertEquals(Kernel.DENIED, step(KERNEL, word(2, 3), 1, 299, d));
        assertFacts(d, Outcome.LIMITED, 0, 1, 1);
    }

    @Test
    void aKeyMoreThanSWindowsAheadIsAnIdleKeyWhoseTagWrapped() {
        Decision d = new Decision();
        // S - 1 windows ahead of the caller: still the key's window, full
        assertEquals(Kernel.DENIED, step(NANO, word(S - 1, 3), 1, 0, d));
        assertFacts(d, Outcome.LIMITED, 0, S, S);
        // exactly S ahead: over, the caller starts window 0 afresh
        assertEquals(word(0, 1), step(NANO, word(S, 3), 1, 0, d));
        assertFacts(d, Outcome.ALLOWED, 2, 0, 1);
    }

    @Test
    void aTagOneWindowBehindModuloTheTagBitsIsAnOlderWindow() {
        // window -1 mod 2^61 is the window just before 0: the caller at 0 is ahead, a new window
        long previous = (((1L << 61) - 1) << 3) | 4;
        assertEquals(word(0, 1), step(NANO, previous, 1, 0, null));
        // at t = -1 the same tag is the caller's own window
        assertEquals(Kernel.DENIED, step(NANO, previous, 1, -1, null));
    }

    @Test
    void negativeTimesUseFloorWindows() {
        Decision d = new Decision();
        // t = -50 lies in window -1 = [-100, 0)
        assertEquals((-1L << 3) | 2, step(KERNEL, 0L, 1, -50, d));
        assertFacts(d, Outcome.ALLOWED, 2, 0, 50);
    }

    @Test
    void aKeyWindowBeyondTheClocksEndIsNotReadAsCurrent() {
        long last = Long.MAX_VALUE / 100;            // the last window that starts within the clock
        Decision d = new Decision();
        // the key's window is one past the caller's, and exists: counted there
        assertEquals(Kernel.DENIED, step(KERNEL, word(last, 3), 1, (last - 1) * 100, d));
        // the last window never ends within the clock's range
        assertFacts(d, Outcome.LIMITED, 0, Decision.NEVER, Decision.NEVER);
        // a key window past the last one cannot exist: the caller in the last window starts afresh
        assertEquals(word(last, 1), step(KERNEL, word(last + 1, 3), 1, last * 100, d));
        assertFacts(d, Outcome.ALLOWED, 2, 0, Decision.NEVER);
    }

    @Test
    void refundSubtractsFromTheGrantsOwnWindowOnly() {
        long token = KERNEL.token(word(2, 2), 250);
        assertEquals(word(2, 2), token);
        assertEquals(0, KERNEL.refundIndex(NONE, 0, token, 250));
        assertEquals(word(2, 1), KERNEL.refunded(0, word(2, 3), 2, token, 260));
        assertEquals(word(2, 0), KERNEL.refunded(0, word(2, 2), 2, token, 260));
        // fewer counted than refunded: a reset or another refund got there first, nothing to take
        assertEquals(word(2, 1), KERNEL.refunded(0, word(2, 1), 2, token, 260));
        // the key moved on: the grant no longer affects any decision
        assertEquals(word(3, 3), KERNEL.refunded(0, word(3, 3), 2, token, 310));
    }

    @Test
    void anOverrideSharesTheLayout() {
        FixedWindowKernel wide = new FixedWindowKernel(LIMIT, 6);   // 3 count bits hold 1..7
        Kernel raised = wide.withLimit(LIMIT.withPermits(6));
        assertEquals(6, raised.limit().permits());
        assertEquals(word(2, 6), raised.next(NONE, 0, word(2, 3), 3, 250, null));
        Kernel lowered = wide.withLimit(LIMIT.withPermits(2));
        assertEquals(Kernel.DENIED, lowered.next(NONE, 0, word(2, 2), 1, 250, null));
        Decision d = new Decision();
        // more counted than the lowered N: nothing remains, never a negative figure
        assertEquals(Kernel.DENIED, lowered.next(NONE, 0, word(2, 3), 1, 250, d));
        assertFacts(d, Outcome.LIMITED, 0, 50, 50);
        assertThrows(IllegalArgumentException.class, () -> wide.withLimit(LIMIT.withPermits(7)));
        assertThrows(IllegalArgumentException.class, () -> KERNEL.withLimit(LIMIT.withPermits(4)));
    }
}
