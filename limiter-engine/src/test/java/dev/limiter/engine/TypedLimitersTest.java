package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The off-heap engine's limiter of each kind, and what its handles and leases say they belong to. */
class TypedLimitersTest {

    private static OffHeapEngine engine(ManualClock clock) {
        return OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 8)
                .limit(Limit.quota("q", 3).build(), 8)
                .limit(Limit.concurrency("c", 1, Duration.ofSeconds(1)).build(), 8)
                .limit(Limit.cardinality("card", 1).build(), 8)
                .build();
    }

    @Test
    void handlesAndLeasesNameTheirTypedLimiter() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            RateLimiter tb = e.rateLimiter("tb");
            LimitHandle h = tb.handle(1L);
            assertSame(tb, h.limiter());
            assertTrue(h.tryAcquire());

            QuotaLimiter q = e.quotaLimiter("q");
            assertSame(q, q.handle("k").limiter());
            assertSame(q, e.rateLimiter("q"), "a quota limiter is a rate limiter too");

            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            try (Lease lease = c.tryLease(1L, 1, 0, null)) {
                assertNotNull(lease);
                assertSame(c, lease.limiter());
            }
            assertFalse(e.limiter("card") instanceof RateLimiter);
        }
    }

    @Test
    void operatorResetsWorkThroughTheirTypes() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            QuotaLimiter q = e.quotaLimiter("q");
            assertTrue(q.tryAcquire(5L, 3, 0, null));
            assertFalse(q.tryAcquire(5L, 1, 0, null));
            q.reset(5L);
            assertTrue(q.tryAcquire(5L, 3, 0, null));
            assertEquals(1, q.keyCount());

            CardinalityLimiter card = e.cardinalityLimiter("card");
            assertTrue(card.tryAdmit("p", "m1", 0, null));
            assertFalse(card.tryAdmit("p", "m2", 0, null));
            card.reset("p");
            assertTrue(card.tryAdmit("p", "m2", 0, null));
        }
    }

    @Test
    void asynchronousAcquireTakesARateLimiterOfItsOwnEngine() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock); OffHeapEngine other = engine(clock)) {
            assertTrue(e.async().acquire(e.rateLimiter("tb"), 1L, 1, Duration.ZERO).join().allowed());
            assertThrows(IllegalArgumentException.class,
                    () -> e.async().acquire(other.rateLimiter("tb"), 1L, 1, Duration.ZERO));
        }
    }
}
