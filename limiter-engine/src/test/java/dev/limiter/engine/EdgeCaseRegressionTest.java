package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Checks;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal reproductions of edge cases once found by driving the public API with random traces;
 * each test states the guarantee it holds the engine to and fails on the code before the fix.
 */
class EdgeCaseRegressionTest {
    private static final long SECOND = 1_000_000_000L;

    private static OffHeapEngine engine(ManualClock clock, Limit limit) {
        return OffHeapEngine.builder().clock(clock).limit(limit, 16).build();
    }

    // 1. a "now" far in the past is counted at the key's time, never in a fresh window

    @Test
    void aVeryStaleCallerCannotOpenAFreshFixedWindow() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.fixedWindow("fw", 1, Duration.ofNanos(1)).build())) {
            RateLimiter l = e.rateLimiter("fw");
            assertTrue(l.tryAcquire(7L, 1, 0));
            assertFalse(l.tryAcquire(7L, 1, 0));
            assertFalse(l.tryAcquire(7L, 1, -(1L << 58)), "a caller 2^58 windows stale opened a fresh window");
            assertFalse(l.tryAcquire(7L, 1, 0), "two grants at t = 0 in a window of 1");
        }
    }

    @Test
    void aStaleCallerCannotDoubleABigFixedWindow() {
        long n = 1L << 36;
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.fixedWindow("fw", n, Duration.ofMillis(1)).build())) {
            RateLimiter l = e.rateLimiter("fw");
            assertTrue(l.tryAcquire(7L, n, 0));
            assertFalse(l.tryAcquire(7L, 1, -Duration.ofMinutes(35).toNanos()));
            assertFalse(l.tryAcquire(7L, n, 0), "2N granted in one window");
        }
    }

    @Test
    void aVeryStaleCallerCannotOpenAFreshSlidingWindow() {
        try (OffHeapEngine e = engine(new ManualClock(0),
                Limit.slidingWindow("sw", 1, Duration.ofNanos(10)).subWindows(10).build())) {
            RateLimiter l = e.rateLimiter("sw");
            assertTrue(l.tryAcquire(7L, 1, 0));
            assertFalse(l.tryAcquire(7L, 1, 0));
            assertFalse(l.tryAcquire(7L, 1, -(1L << 58)));
            assertFalse(l.tryAcquire(7L, 1, 0), "two grants in one window of 1");
        }
    }

    /**
     * A sliding window's retry-after reads each sealed sub-window from its ring slot even where the
     * sub-window index k before "now" lies below Long.MIN_VALUE (1 ns sub-windows at the clock's
     * lower end): the same trace gives the same figures there as anywhere else. The slot of index
     * u - k was once taken from the wrapped index, whose residue differs, so the sealed count was
     * missed and the retry-after came out one sub-window late (or never, found by the Redis
     * scripts' differential test, whose Lua port has the right slots).
     */
    @Test
    void aSlidingWindowRetryAfterIsTheSameAtTheLowerEndOfTheClock() {
        for (long origin : new long[] {0, 1_000, Long.MIN_VALUE + 1}) {
            try (OffHeapEngine e = engine(new ManualClock(origin),
                    Limit.slidingWindow("sw", 4, Duration.ofNanos(4)).subWindows(4).build())) {
                RateLimiter l = e.rateLimiter("sw");
                Decision d = new Decision();
                assertTrue(l.tryAcquire(7L, 2, origin, d));
                assertTrue(l.tryAcquire(7L, 2, origin + 1, d), "the roll seals sub-window origin");
                assertFalse(l.tryAcquire(7L, 1, origin + 1, d));
                assertEquals(Outcome.LIMITED, d.outcome());
                assertEquals(4, d.retryAfterNanos(), "origin " + origin + ": origin's 2 permits leave the window at origin + 5");
            }
        }
    }

    @Test
    void aVeryStaleCallerCannotTakeASecondLease() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.concurrency("c", 1, Duration.ofNanos(1)).build())) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            assertNotNull(l.tryLease(7L, 1, 0, null));
            assertNull(l.tryLease(7L, 1, -(1L << 53) + 2, null), "two leases held at once under a limit of 1");
        }
    }

    // 2. token-bucket figures never saturate toward more permits

    @Test
    void aHugeBurstCannotBeTakenTwiceAtTheStartOfTime() {
        try (OffHeapEngine e = engine(new ManualClock(Long.MIN_VALUE),
                Limit.tokenBucket("tb", 1, Duration.ofHours(1)).burst(10_000_000).build())) {
            RateLimiter l = e.rateLimiter("tb");
            boolean first = l.tryAcquire(7L, 10_000_000, Long.MIN_VALUE);
            boolean second = l.tryAcquire(7L, 10_000_000, -1);
            assertFalse(first && second, "2e7 permits against a bound of 12,562,047");
        }
    }

    // 3. cardinality: distinct members, distinct parents, and epochs that do not wrap

    @Test
    void membersWhoseFingerprintIsRemappedStayDistinct() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.cardinality("card", 1).build())) {
            CardinalityLimiter l = e.cardinalityLimiter("card");
            assertTrue(l.tryAdmit(9L, 0L, 0, null));
            assertFalse(l.tryAdmit(9L, 0x4D454D4245523031L, 0, null), "two members counted as one");
        }
    }

    @Test
    void parentsWhoseFingerprintIsRemappedDoNotShareMarks() {
        long p1 = 0x5041524E54303031L;
        long p2 = 0x73285016DA074CF8L;
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.cardinality("card", 1).build())) {
            CardinalityLimiter l = e.cardinalityLimiter("card");
            assertTrue(l.tryAdmit(p1, 5L, 0, null));
            assertTrue(l.tryAdmit(p2, 5L, 0, null));
            assertFalse(l.tryAdmit(p2, 6L, 0, null), "a parent of 1 admitted two members");
            assertFalse(l.tryAdmit(p1, 6L, 0, null), "a parent of 1 admitted two members");
        }
    }

    @Test
    void resetsNeverWrapTheEpochOntoOldMembers() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.cardinality("card", 1).build())) {
            CardinalityLimiter l = e.cardinalityLimiter("card");
            assertTrue(l.tryAdmit(9L, 1L, 0, null));
            int refused = 0;
            for (int i = 0; i < 1 << 23; i++) {
                try {
                    l.reset(9L);
                } catch (IllegalStateException exhausted) {
                    refused++;
                }
            }
            assertEquals(1, refused, "the reset that would wrap the epoch must be refused, once");
            assertTrue(l.tryAdmit(9L, 2L, 0, null));
            assertFalse(l.tryAdmit(9L, 1L, 0, null), "a member of a long-gone epoch came back");
        }
    }

    // 4. capacities that cannot be allocated are refused at registration

    @Test
    void hugeCapacitiesAreRefusedBeforeAnythingIsAllocated() {
        Limit limit = Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build();
        for (long capacity : new long[] {1L << 59, Long.MAX_VALUE, 1L << 31}) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> OffHeapEngine.builder().limit(limit, capacity), "capacity " + capacity);
            assertTrue(x.getMessage().contains("2 GiB"), x.getMessage());
        }
    }

    // 5. a lease granted at the clock's end is a lease, and the decision says so

    @Test
    void aLeaseAtTheEndOfTimeAgreesWithItsDecision() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.concurrency("c", 4, Duration.ofNanos(1)).build())) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            Decision d = new Decision();
            assertNotNull(l.tryLease(7L, 1, 0, d));
            Lease late = l.tryLease(7L, 1, Long.MAX_VALUE, d);
            assertEquals(late != null, d.allowed(), d::toString);
            Checks checks = new Checks().add(l, 8L, 1);
            assertTrue(l.tryLease(8L, 1, 0, null) != null);
            boolean all = e.tryAcquireAll(checks, Long.MAX_VALUE, d);
            assertEquals(all, d.allowed(), d::toString);
        }
    }

    // 6. an unreleased lease stops counting by 2H, however long the key was idle

    @Test
    void anUnreleasedLeaseIsReclaimedAfterAVeryLongIdleGap() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.concurrency("c", 100_000, Duration.ofSeconds(1)).build())) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            assertNotNull(l.tryLease(7L, 100_000, 0, null));
            long later = ((1L << 20) + 1) * SECOND;
            clock.set(later);
            Decision d = new Decision();
            assertNotNull(l.tryLease(7L, 1, later, d), d::toString);
        }
    }

    // 7. smaller ones

    @Test
    void aDeniedCompositeOfRepeatedChecksKeepsNothing() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.tokenBucket("tb", 10, Duration.ofHours(1)).build())) {
            RateLimiter l = e.rateLimiter("tb");
            Checks checks = new Checks().add(l, 7L, 4).add(l, 7L, 4).add(l, 7L, 4);
            assertFalse(e.tryAcquireAll(checks, 0, null));
            assertTrue(l.tryAcquire(7L, 10, 0), "the denied composite kept permits");
        }
    }

    @Test
    void aBigSlidingWindowGrantsItsWholeNInOneRequest() {
        long n = (1L << 28) + 1;
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.slidingWindow("sw", n, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("sw");
            Decision d = new Decision();
            assertEquals(n, l.limit().maxPermitsPerRequest());
            assertTrue(l.tryAcquire(7L, n, 0, d), d::toString);
            assertFalse(l.tryAcquire(7L, 1, 1, d));
        }
    }

    @Test
    void readsAndOperatorActionsOnUnseenKeysClaimNothing() {
        try (OffHeapEngine e = OffHeapEngine.builder().clock(new ManualClock(0))
                .limit(Limit.quota("q", 5).build(), 1).build()) {
            QuotaLimiter l = e.quotaLimiter("q");
            assertEquals(5, l.permitsFor("never-seen"));
            l.reset("never-seen-either");
            assertFalse(l.clearOverride("nor-this"));
            assertEquals(0, l.keyCount());
            assertTrue(l.tryAcquire("real", 1), "a read claimed the only slot");
        }
    }

    @Test
    void nullKeysAndPeriodsAreNamedInTheException() {
        try (OffHeapEngine e = engine(new ManualClock(0), Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("tb");
            NullPointerException x = assertThrows(NullPointerException.class, () -> l.tryAcquire((CharSequence) null));
            assertTrue(x.getMessage().contains("key"), x.getMessage());
            assertThrows(NullPointerException.class, () -> l.tryAcquire((byte[]) null, 1, 0, null));
            assertThrows(NullPointerException.class, () -> l.permitsFor((CharSequence) null));
        }
        NullPointerException p = assertThrows(NullPointerException.class,
                () -> Limit.fixedWindow("fw", 1, null).build());
        assertTrue(p.getMessage().contains("period must not be null"), p.getMessage());
    }

    @Test
    void aDenialAtTheEndOfTimeReportsNothingRemainingForTheRequest() {
        Limit[] limits = {
            Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(),
            Limit.fixedWindow("fw", 10, Duration.ofSeconds(1)).build(),
            Limit.slidingWindow("sw", 10, Duration.ofSeconds(1)).build(),
        };
        for (Limit limit : limits) {
            try (OffHeapEngine e = engine(new ManualClock(0), limit)) {
                RateLimiter l = e.rateLimiter(limit.name());
                Decision d = new Decision();
                for (int i = 0; i < 12; i++) {
                    boolean granted = l.tryAcquire(7L, 1, Long.MAX_VALUE, d);
                    if (!granted) {
                        assertEquals(Outcome.LIMITED, d.outcome());
                        assertTrue(d.remaining() < 1, () -> limit.name() + " denied 1 with remaining " + d);
                    }
                }
            }
        }
    }
}
