package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.TableFullException;
import dev.limiter.WhenFull;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's contract: decisions, bad input, full tables, and the keyed and handle APIs. */
class OffHeapEngineTest {
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    private OffHeapEngine engine(Limit limit, long capacity, WhenFull whenFull) {
        return OffHeapEngine.builder().clock(clock).whenFull(whenFull).limit(limit, capacity).build();
    }

    private static Limit perSecond(long n) {
        return Limit.tokenBucket("tb", n, Duration.ofSeconds(1)).build();
    }

    @Test
    void tokenBucketDecisionCarriesRemainingRetryAndReset() {
        try (OffHeapEngine e = engine(perSecond(10), 100, WhenFull.REJECT)) {
            RateLimiter l = e.rateLimiter("tb");
            Decision d = new Decision();
            assertTrue(l.tryAcquire(7L, 4, clock.nanoTime(), d));
            assertEquals(Outcome.ALLOWED, d.outcome());
            assertEquals(6, d.remaining());
            assertEquals(400_000_000L, d.resetAfterNanos());
            assertTrue(l.tryAcquire(7L, 6, clock.nanoTime(), d));
            assertEquals(0, d.remaining());
            assertFalse(l.tryAcquire(7L, 2, clock.nanoTime(), d));
            assertEquals(Outcome.LIMITED, d.outcome());
            assertEquals("tb", d.limit().name());
            assertEquals(10, d.limitPermits());
            assertEquals(200_000_000L, d.retryAfterNanos());
            assertEquals(1_000_000_000L, d.resetAfterNanos());
            clock.advance(Duration.ofMillis(200));
            assertTrue(l.tryAcquire(7L, 2, clock.nanoTime(), d));
            assertFalse(l.tryAcquire(7L));
        }
    }

    @Test
    void fixedWindowResetsAtTheBoundary() {
        Limit limit = Limit.fixedWindow("fw", 3, Duration.ofSeconds(1)).build();
        try (OffHeapEngine e = engine(limit, 100, WhenFull.REJECT)) {
            RateLimiter l = e.rateLimiter("fw");
            Decision d = new Decision();
            clock.set(5_250_000_000L);
            for (int i = 0; i < 3; i++) {
                assertTrue(l.tryAcquire("user", 1, clock.nanoTime(), d));
            }
            assertFalse(l.tryAcquire("user", 1, clock.nanoTime(), d));
            assertEquals(750_000_000L, d.retryAfterNanos());
            assertEquals(0, d.remaining());
            clock.set(6_000_000_000L);
            assertTrue(l.tryAcquire("user", 3, clock.nanoTime(), d));
            assertEquals(1_000_000_000L, d.resetAfterNanos());
        }
    }

    @Test
    void zeroOrNegativePermitsThrowAndConsumeNothing() {
        try (OffHeapEngine e = engine(perSecond(5), 100, WhenFull.REJECT)) {
            RateLimiter l = e.rateLimiter("tb");
            assertTrue(l.tryAcquire(1L, 2));
            assertThrows(IllegalArgumentException.class, () -> l.tryAcquire(1L, 0));
            assertThrows(IllegalArgumentException.class, () -> l.tryAcquire(1L, -3, clock.nanoTime()));
            assertThrows(IllegalArgumentException.class, () -> l.tryAcquire("k", 0));
            assertThrows(IllegalArgumentException.class, () -> l.handle(1L).tryAcquire(0));
            Decision d = new Decision();
            assertTrue(l.tryAcquire(1L, 1, clock.nanoTime(), d));
            assertEquals(2, d.remaining(), "a rejected call consumed permits");
        }
    }

    @Test
    void moreThanTheBurstIsUnsatisfiableAtOnceAndConsumesNothing() {
        try (OffHeapEngine e = engine(perSecond(5), 100, WhenFull.REJECT)) {
            RateLimiter l = e.rateLimiter("tb");
            Decision d = new Decision();
            assertFalse(l.tryAcquire(9L, 6, clock.nanoTime(), d));
            assertEquals(Outcome.UNSATISFIABLE, d.outcome());
            assertEquals(Decision.NEVER, d.retryAfterNanos());
            assertEquals(0, l.keyCount(), "an unsatisfiable request claimed a slot");
            assertTrue(l.tryAcquire(9L, 5, clock.nanoTime(), d));
        }
    }

    @Test
    void badLimitsAndRegistrationsAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Limit.tokenBucket("x", 0, Duration.ofSeconds(1)).build());
        assertTrue(e.getMessage().contains("permits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limit.tokenBucket("x", -1, Duration.ofSeconds(1)).build());
        e = assertThrows(IllegalArgumentException.class, () -> Limit.tokenBucket("x", 1, Duration.ZERO));
        assertTrue(e.getMessage().contains("period"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limit.fixedWindow("x", 1, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> Limit.tokenBucket("x", 1, Duration.ofSeconds(1)).burst(0));
        assertThrows(IllegalArgumentException.class, () -> Limit.tokenBucket(" ", 1, Duration.ofSeconds(1)).build());
        assertThrows(IllegalArgumentException.class, () -> OffHeapEngine.builder().limit(perSecond(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> OffHeapEngine.builder().limit(perSecond(1), 10).limit(perSecond(2), 10));
        try (OffHeapEngine eng = engine(perSecond(1), 10, WhenFull.REJECT)) {
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> eng.limiter("nope"));
            assertTrue(unknown.getMessage().contains("nope"));
        }
    }

    @Test
    void aTableFullOfLiveKeysSaysWhenARotationCanFreeASlot() {
        try (OffHeapEngine e = engine(perSecond(100), 2, WhenFull.DENY)) {
            RateLimiter l = e.rateLimiter("tb");
            Decision d = new Decision();
            long now = clock.nanoTime();
            long key = 0;
            while (l.tryAcquire(key, 1, now, d)) {
                key++;                                       // every key live for 10 ms from now
            }
            assertEquals(2 * 2 + 64, key, "with eviction a table of capacity C takes 2 C + 64 keys");
            assertEquals(Outcome.TABLE_FULL_DENIED, d.outcome());
            assertEquals(10_000_000L, d.retryAfterNanos(), "the earliest decay among the live keys");
            assertEquals(0, e.eviction().evictions(), "nothing had decayed: nothing was evicted");
            assertFalse(l.tryAcquire(key, 1, now + 9_999_999, d), "no rotation is tried before then");
            assertEquals(1, d.retryAfterNanos());
            clock.advance(10_000_000);
            assertTrue(l.tryAcquire(key, 1, clock.nanoTime(), d), "then a rotation evicts them all");
            assertEquals(key, e.eviction().evictions());
            assertTrue(l.tryAcquire(0L, 1, clock.nanoTime(), d), "and an evicted key starts afresh");
            assertEquals(99, d.remaining());
        }
    }

    @Test
    void fullTableFollowsTheConfiguredChoice() {
        for (WhenFull choice : WhenFull.values()) {
            try (OffHeapEngine e = OffHeapEngine.builder().clock(clock).whenFull(choice).evictIdleKeys(false)
                    .limit(perSecond(100), 2).build()) {
                RateLimiter l = e.rateLimiter("tb");
                Decision d = new Decision();
                assertTrue(l.tryAcquire(1L, 1, clock.nanoTime(), d));
                assertTrue(l.tryAcquire(2L, 1, clock.nanoTime(), d));
                switch (choice) {
                    case REJECT:
                        TableFullException ex = assertThrows(TableFullException.class,
                                () -> l.tryAcquire(3L, 1, clock.nanoTime(), d));
                        assertTrue(ex.getMessage().contains("full"), ex.getMessage());
                        break;
                    case DENY:
                        assertFalse(l.tryAcquire(3L, 1, clock.nanoTime(), d));
                        assertEquals(Outcome.TABLE_FULL_DENIED, d.outcome());
                        break;
                    default:
                        assertTrue(l.tryAcquire(3L, 1, clock.nanoTime(), d));
                        assertEquals(Outcome.TABLE_FULL_ALLOWED, d.outcome());
                }
                assertThrows(TableFullException.class, () -> l.handle(4L));
                assertEquals(2, l.keyCount());
                assertTrue(l.tryAcquire(2L, 1, clock.nanoTime(), d), "known keys keep working");
            }
        }
    }

    @Test
    void handlesStringKeysAndByteKeysShareTheLimit() {
        try (OffHeapEngine e = engine(perSecond(3), 100, WhenFull.REJECT)) {
            RateLimiter l = e.rateLimiter("tb");
            LimitHandle h = l.handle("account-9");
            assertTrue(h.tryAcquire());
            assertTrue(l.tryAcquire(new StringBuilder("account-9")));
            assertTrue(h.tryAcquire(1, clock.nanoTime()));
            assertFalse(l.tryAcquire("account-9"));
            assertTrue(l.tryAcquire("account-9".getBytes(), 3, clock.nanoTime(), null), "bytes are another key");
            assertEquals(2, l.keyCount());
            assertEquals(l, h.limiter());
        }
    }
}
