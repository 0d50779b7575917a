package dev.limiter;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitTest {

    @Test
    void buildersFillDefaultsAndValueSemanticsHold() {
        Limit a = Limit.tokenBucket("calls", 5_000, Duration.ofHours(1)).build();
        assertEquals(5_000, a.burst());
        assertEquals(Duration.ofHours(1), a.period());
        assertTrue(a.overridable());
        assertEquals(a, a.toBuilder().build());
        assertEquals(a.hashCode(), Limit.tokenBucket("calls", 5_000, Duration.ofHours(1)).build().hashCode());
        assertNotEquals(a, Limit.tokenBucket("calls", 5_000, Duration.ofHours(1)).burst(10).build());
        Limit imap = Limit.fixedWindow("imap", 240, Duration.ofMinutes(1)).fixed().build();
        assertFalse(imap.overridable());
        assertEquals("Limit[imap: fixed_window 240 per PT1M, fixed]", imap.toString());
        Limit sliding = Limit.slidingWindow("s", 10, Duration.ofSeconds(1)).build();
        assertEquals(Limit.DEFAULT_SUB_WINDOWS, sliding.subWindows());
        Limit leases = Limit.concurrency("streams", 10, Duration.ofMinutes(5)).build();
        assertEquals(Duration.ofMinutes(5).toNanos(), leases.maxHoldNanos());
    }

    @Test
    void invalidFiguresAreRefusedWithTheFieldNamed() {
        assertMessage("permits", () -> Limit.tokenBucket("x", 0, Duration.ofSeconds(1)).build());
        assertMessage("permits", () -> Limit.quota("x", Limit.MAX_PERMITS + 1).build());
        assertMessage("period", () -> Limit.fixedWindow("x", 1, Duration.ofNanos(-1)));
        assertMessage("burst", () -> Limit.tokenBucket("x", 1, Duration.ofSeconds(1)).burst(-5));
        assertMessage("burst", () -> Limit.fixedWindow("x", 1, Duration.ofSeconds(1)).burst(5));
        assertMessage("sub-windows", () -> Limit.slidingWindow("x", 1, Duration.ofSeconds(1)).subWindows(0));
        assertMessage("sub-windows", () -> Limit.slidingWindow("x", 1, Duration.ofNanos(3)).subWindows(4).build());
        assertMessage("name", () -> Limit.quota("", 1).build());
    }

    @Test
    void periodsBeyondTheLongRangeSaturate() {
        Limit forever = Limit.tokenBucket("x", 1, Duration.ofDays(365L * 1_000)).build();
        assertEquals(Long.MAX_VALUE, forever.periodNanos());
    }

    @Test
    void manualClockMovesOnlyWhenToldAndSaturates() {
        ManualClock clock = new ManualClock(Long.MAX_VALUE - 5);
        assertEquals(Long.MAX_VALUE, clock.advance(10));
        clock.set(-3);
        assertEquals(-3, clock.nanoTime());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
    }

    @Test
    void checksGrowAndRefuseBadPermits() {
        Checks checks = new Checks(1);
        Limiter limiter = null;
        assertThrows(NullPointerException.class, () -> checks.add(limiter, 1L, 1));
        assertEquals(0, checks.size());
        assertThrows(IndexOutOfBoundsException.class, () -> checks.permits(0));
    }

    private static void assertMessage(String field, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
