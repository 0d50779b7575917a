package dev.limiter.testkit;

import dev.limiter.CardinalityLimiter;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference model's operations of each kind: leases, handles and operator resets. */
class ReferenceEngineTypedTest {
    private final ManualClock clock = new ManualClock(0);

    @Test
    void aLeaseCountsUntilClosedOnceAndNoLonger() {
        try (ReferenceEngine e = new ReferenceEngine(clock, List.of(Limit.concurrency("c", 2, Duration.ofSeconds(1)).build()))) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            Lease first = c.tryLease("k", 2, 0, null);
            assertNotNull(first);
            assertSame(c, first.limiter());
            Decision d = new Decision();
            assertNull(c.tryLease("k", 1, 0, d));
            assertEquals(Outcome.LIMITED, d.outcome());
            first.close();
            first.close(); // idempotent: a second close frees nothing more
            assertFalse(first.isHeld());
            Lease a = c.tryLease("k", 1, 0, null);
            Lease b = c.tryLease("k", 1, 0, null);
            assertTrue(a != null && b != null);
            assertNull(c.tryLease("k", 1, 0, null), "two closes of one lease must not free two leases' permits");
        }
    }

    @Test
    void aHandleAcquiresForItsKey() {
        try (ReferenceEngine e = new ReferenceEngine(clock, List.of(Limit.fixedWindow("fw", 3, Duration.ofSeconds(1)).build()))) {
            RateLimiter fw = e.rateLimiter("fw");
            LimitHandle h = fw.handle(42L);
            assertSame(fw, h.limiter());
            assertTrue(h.tryAcquire(2, 0));
            assertFalse(fw.tryAcquire(42L, 2, 0), "the handle and the key share one state");
            assertTrue(fw.tryAcquire("42", 3, 0, null), "a string key is another key than the 64-bit one");
        }
    }

    @Test
    void resetsStartAFreshTotalOrAnEmptyMemberSet() {
        try (ReferenceEngine e = new ReferenceEngine(clock, List.of(Limit.quota("q", 2).build(),
                Limit.cardinality("card", 1).build()))) {
            QuotaLimiter q = e.quotaLimiter("q");
            assertTrue(q.tryAcquire("k", 2, 0, null));
            assertFalse(q.tryAcquire("k", 1, 0, null));
            q.reset("k");
            assertTrue(q.tryAcquire("k", 2, 0, null));
            CardinalityLimiter card = e.cardinalityLimiter("card");
            assertTrue(card.tryAdmit(9, 1, 0, null));
            assertFalse(card.tryAdmit(9, 2, 0, null));
            card.reset(9);
            assertTrue(card.tryAdmit(9, 2, 0, null));
        }
    }

    @Test
    void aClosedEngineRefusesEveryCall() {
        ReferenceEngine e = new ReferenceEngine(clock, List.of(Limit.quota("q", 2).build()));
        QuotaLimiter q = e.quotaLimiter("q");
        e.close();
        assertThrows(IllegalStateException.class, () -> q.tryAcquire("k", 1, 0, null));
        assertThrows(IllegalStateException.class, () -> q.reset("k"));
    }
}
