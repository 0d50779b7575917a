package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Checks;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.FixedLimitException;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import dev.limiter.internal.EngineAccess;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leases, quotas, cardinality, overrides and misuse, through the public API. */
class ExactLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void leasesAreIdempotentAndReclaimedLazilyWithoutDoubleFrees() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("streams", 2, Duration.ofSeconds(10)).build(), 8).build()) {
            ConcurrencyLimiter c = e.concurrencyLimiter("streams");
            Decision d = new Decision();
            Lease a = c.tryLease(1L, 1, clock.nanoTime(), d);
            Lease b = c.tryLease(1L, 1, clock.nanoTime(), d);
            assertNotNull(a);
            assertNotNull(b);
            assertNull(c.tryLease(1L, 1, clock.nanoTime(), d));
            assertEquals(Outcome.LIMITED, d.outcome());
            assertTrue(d.retryAfterNanos() > 0 && d.retryAfterNanos() <= 20 * SECOND, d::toString);
            a.close();
            a.close();                                      // idempotent: frees one permit, not two
            assertFalse(a.isHeld());
            Lease a2 = c.tryLease(1L, 1, clock.nanoTime(), d);
            assertNotNull(a2);
            assertNull(c.tryLease(1L, 1, clock.nanoTime(), d), "a second close must not free another permit");

            clock.advance(9 * SECOND);                      // before the hold time: still held
            assertTrue(b.isHeld());
            assertNull(c.tryLease(1L, 1, clock.nanoTime(), d));
            clock.advance(11 * SECOND);                     // 20 s: both leases are past 2H, reclaimed
            assertFalse(b.isHeld());
            Lease n1 = c.tryLease(1L, 1, clock.nanoTime(), d);
            Lease n2 = c.tryLease(1L, 1, clock.nanoTime(), d);
            assertNotNull(n1);
            assertNotNull(n2);
            b.close();                                      // late release after reclaim: does nothing
            a2.close();
            assertNull(c.tryLease(1L, 1, clock.nanoTime(), d), "a late release freed a newer lease's permit");
            n1.close();
            assertNotNull(c.tryLease(1L, 1, clock.nanoTime(), d));
            assertEquals(Outcome.UNSATISFIABLE, outcomeOf(() -> c.tryLease(2L, 3, clock.nanoTime(), d), d));
            assertThrows(IllegalArgumentException.class, () -> c.tryLease(2L, 0, clock.nanoTime(), d));
            // c.tryAcquire(...) does not compile; asking for the limit as a rate limiter is refused
            IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> e.rateLimiter("streams"));
            assertTrue(u.getMessage().contains("CONCURRENCY") && u.getMessage().contains("concurrencyLimiter"),
                    u.getMessage());
        }
    }

    private static Outcome outcomeOf(Runnable r, Decision d) {
        r.run();
        return d.outcome();
    }

    @Test
    void compositeLeasesAreReleasedOnceByReleaseAll() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("inflight", 1, Duration.ofMinutes(1)).build(), 8)
                .limit(Limit.tokenBucket("rate", 100, Duration.ofSeconds(1)).build(), 8).build()) {
            Checks checks = new Checks().add(e.limiter("inflight"), 7L, 1).add(e.limiter("rate"), 7L, 1);
            Decision d = new Decision();
            assertTrue(e.tryAcquireAll(checks, 0, d));
            assertTrue(EngineAccess.checks().token(checks, 0) != 0, "the lease's identity is kept in the check's token");
            Checks again = new Checks().add(e.limiter("inflight"), 7L, 1).add(e.limiter("rate"), 7L, 1);
            assertFalse(e.tryAcquireAll(again, 0, d));
            assertEquals(0, d.checkIndex());
            assertEquals(0, CompositePropertyTest.consumed(e.limiter("rate"), 8L, 0), "another key is untouched");
            e.releaseAll(checks, 0);
            e.releaseAll(checks, 0);                         // idempotent
            assertTrue(e.tryAcquireAll(again, 0, d));
            assertFalse(e.tryAcquireAll(checks, 0, d), "a second release must not have freed a second permit");
        }
    }

    @Test
    void quotasAndCardinalityAreResetOrRaisedOnlyByAnOperator() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.quota("daily-sends", 3).fixed().build(), 8)
                .limit(Limit.cardinality("users-per-developer", 3).build(), 64)
                .limit(Limit.tokenBucket("tb", 3, Duration.ofSeconds(1)).build(), 8).build()) {
            QuotaLimiter q = e.quotaLimiter("daily-sends");
            Decision d = new Decision();
            assertTrue(q.tryAcquire(1L, 3, 0, d));
            clock.advance(Duration.ofDays(400));
            assertFalse(q.tryAcquire(1L, 1, clock.nanoTime(), d), "a quota never replenishes by itself");
            assertEquals(Decision.NEVER, d.retryAfterNanos());
            FixedLimitException fixed = assertThrows(FixedLimitException.class, () -> q.override(1L, 10));
            assertTrue(fixed.getMessage().contains("daily-sends") && fixed.getMessage().contains("fixed"));
            assertEquals(3, q.permitsFor(1L));
            q.reset(1L);                                     // a reset restores, it does not lift: allowed
            assertTrue(q.tryAcquire(1L, 3, clock.nanoTime(), d));
            IllegalArgumentException notQuota = assertThrows(IllegalArgumentException.class, () -> e.quotaLimiter("tb"));
            assertTrue(notQuota.getMessage().contains("TOKEN_BUCKET"), notQuota.getMessage());

            CardinalityLimiter users = e.cardinalityLimiter("users-per-developer");
            for (long member = 1; member <= 3; member++) {
                assertTrue(users.tryAdmit("dev-1", "user-" + member, 0, d));
            }
            assertFalse(users.tryAdmit("dev-1", "user-4", 0, d));
            assertTrue(users.tryAdmit("dev-1", "user-2", 0, d), "an admitted member stays admitted");
            assertTrue(users.tryAdmit("dev-2", "user-4", 0, d), "each parent counts its own members");
            users.override("dev-1", 100);                    // verified: the limit is lifted for this developer
            assertTrue(users.tryAdmit("dev-1", "user-4", 0, d));
            assertEquals(100, users.permitsFor("dev-1"));
            assertEquals(3, users.permitsFor("dev-2"));
            Checks member = new Checks().addMember(users, 5L, 50L).addMember(users, 5L, 50L);
            assertTrue(e.tryAcquireAll(member, 0, d));
            users.reset(5L);
            assertThrows(IllegalArgumentException.class, () -> e.rateLimiter("users-per-developer"));
            assertThrows(IllegalArgumentException.class,
                    () -> e.tryAcquireAll(new Checks().add(users, 5L, 1), 0, d));
            assertThrows(IllegalArgumentException.class, () -> e.cardinalityLimiter("daily-sends"));
        }
    }

    @Test
    void overridesRaiseAndLowerOneKeyAndKeepItsState() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.fixedWindow("calls", 2, Duration.ofHours(1)).build(), 8)
                .limit(Limit.slidingWindow("imap", 2, Duration.ofMinutes(1)).fixed().build(), 8)
                .limit(Limit.quota("q", 10).build(), 8).build()) {
            RateLimiter calls = e.rateLimiter("calls");
            Decision d = new Decision();
            assertTrue(calls.tryAcquire(1L, 2, 0, d));
            assertFalse(calls.tryAcquire(1L, 1, 0, d));
            calls.override(1L, 5);                           // a tenant's raise: the 2 used still count
            assertEquals(5, calls.permitsFor(1L));
            assertTrue(calls.tryAcquire(1L, 3, 0, d));
            assertEquals(5, d.limitPermits());
            assertFalse(calls.tryAcquire(1L, 1, 0, d));
            assertTrue(calls.tryAcquire(2L, 2, 0, d), "other keys keep the limit's own N");
            assertFalse(calls.tryAcquire(2L, 1, 0, d));
            assertEquals(Outcome.UNSATISFIABLE, outcomeOf(() -> calls.tryAcquire(2L, 3, 0, d), d));
            assertTrue(calls.tryAcquire(1L, 1, Duration.ofHours(1).toNanos(), d), "next window, raised N");
            calls.override(1L, 1);                           // lowered: 1 used of 1
            assertFalse(calls.tryAcquire(1L, 1, Duration.ofHours(1).toNanos(), d));
            assertEquals(Outcome.UNSATISFIABLE, outcomeOf(() -> calls.tryAcquire(1L, 2, 0, d), d));
            assertTrue(calls.clearOverride(1L));
            assertFalse(calls.clearOverride(1L));
            assertTrue(calls.tryAcquire(1L, 1, Duration.ofHours(1).toNanos(), d), "back to N = 2, 1 used");
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> calls.override(1L, 33));
            assertTrue(big.getMessage().contains("at most 32"), big.getMessage());
            assertThrows(IllegalArgumentException.class, () -> calls.override(1L, 0));

            RateLimiter imap = e.rateLimiter("imap");
            assertTrue(imap.tryAcquire("user@example.com", 2, 0, d));
            assertThrows(FixedLimitException.class, () -> imap.override("user@example.com", 100));
            assertFalse(imap.tryAcquire("user@example.com", 1, 0, d), "a refused override changes nothing");

            RateLimiter q = e.rateLimiter("q");
            assertTrue(q.tryAcquire(9L, 10, 0, d));
            q.override(9L, 1_000_000);                       // quotas have no layout bound below 2^40
            assertTrue(q.tryAcquire(9L, 999_990, 0, d));
            assertFalse(q.tryAcquire(9L, 1, 0, d));
        }
    }
}
