package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The opt-in cached clock: the engine's clock is the ticker's reading, published by each duty cycle. */
class EngineCachedClockTest {

    private static OffHeapEngine.Builder builder(ManualClock clock) {
        return OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 16);
    }

    @Test
    void withoutTheOptionTheEngineReadsItsClockDirectly() {
        ManualClock clock = new ManualClock(5);
        try (OffHeapEngine e = builder(clock).build()) {
            assertSame(clock, e.clock());
            assertEquals(1L << 20, e.timerTickNanos());
        }
    }

    @Test
    void theCachedClockMovesWhenTheTickerPublishesAndLimitersReadIt() {
        ManualClock clock = new ManualClock(1_000);
        try (OffHeapEngine e = builder(clock).cachedClock(Duration.ofMillis(1)).build()) {
            RateLimiter l = e.rateLimiter("tb");
            assertEquals(1_000, e.clock().nanoTime(), "the reading at build is published at once");
            assertSame(e.clock(), l.clock());
            clock.advance(Duration.ofMillis(2));         // less than the staleness bound (4 ticks)
            assertEquals(1_000, e.clock().nanoTime(), "read the source instead of the cache");
            e.runTimers();
            assertEquals(clock.nanoTime(), e.clock().nanoTime());
            assertTrue(l.tryAcquire(7L, 10, l.clock().nanoTime(), null));
        }
    }

    @Test
    void theTickIsBoundedAndRoundedUpToAPowerOfTwo() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = builder(clock).cachedClock(Duration.ofNanos(10_000)).build()) {
            assertEquals(1L << 14, e.timerTickNanos());
        }
        try (OffHeapEngine e = builder(clock).cachedClock(Duration.ofSeconds(1)).build()) {
            assertEquals(1L << 30, e.timerTickNanos());
        }
        assertThrows(IllegalArgumentException.class, () -> builder(clock).cachedClock(Duration.ofNanos(9_999)));
        assertThrows(IllegalArgumentException.class, () -> builder(clock).cachedClock(Duration.ofMillis(1_001)));
    }

    @Test
    void onTheSystemClockTheCachedClockIsPublishedByTheTickerThread() {
        try (OffHeapEngine e = OffHeapEngine.builder().cachedClock()
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 16).build()) {
            long before = System.nanoTime();
            long read = e.clock().nanoTime();
            assertTrue(read <= System.nanoTime(), "the cached clock ran ahead of the source");
            assertTrue(read > before - Duration.ofSeconds(10).toNanos(), "the cached clock is frozen");
            assertThrows(IllegalStateException.class, e::runTimers);
        }
    }
}
