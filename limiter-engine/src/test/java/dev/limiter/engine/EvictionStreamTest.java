package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.RateLimiter;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.WhenFull;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stream of distinct keys, each used once, through a table of capacity C with at most C of them
 * live at any time, never meets a full table: idle keys are evicted as the table fills. The sizes
 * are system properties so that CI runs a small stream and a developer the full one:
 * {@code -Dlimiter.eviction.streamKeys=10000000 -Dlimiter.eviction.streamCapacity=1000000}.
 */
class EvictionStreamTest {
    private static final long KEYS = Long.getLong("limiter.eviction.streamKeys", 2_000_000L);
    private static final long CAPACITY = Long.getLong("limiter.eviction.streamCapacity", 200_000L);

    /** Key i acts at i * step, and stays live for I = C * step: exactly C keys are live at once. */
    @Test
    void manualClockStreamNeverMeetsAFullTable() {
        long step = 1_000;
        ManualClock clock = new ManualClock();
        Limit limit = Limit.tokenBucket("stream", 1, Duration.ofNanos(CAPACITY * step)).build();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY)
                .limit(limit, CAPACITY).build()) {
            RateLimiter l = engine.rateLimiter("stream");
            Decision d = new Decision();
            long started = System.nanoTime();
            for (long key = 0; key < KEYS; key++) {
                long now = clock.advance(step);
                if (!l.tryAcquire(key, 1, now, d)) {
                    fail("key " + key + " of " + KEYS + " was refused: " + d + ", " + l.keyCount() + " keys held");
                }
                assertEquals(Outcome.ALLOWED, d.outcome());
            }
            report("manual clock", started, engine, l);
            assertTrue(engine.eviction().evictions() >= KEYS - 2 * CAPACITY - 64, "evicted " + engine.eviction().evictions());
            assertTrue(l.keyCount() <= 2 * CAPACITY + 64);
        }
    }

    /**
     * The system clock: each key's state lives I = 5 ms, so even at 20 million keys a second at
     * most 100,000 keys are live at once, fewer than C.
     */
    @Test
    void systemClockStreamNeverMeetsAFullTable() {
        Limit limit = Limit.tokenBucket("stream", 1, Duration.ofMillis(5)).build();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(Clock.system()).whenFull(WhenFull.DENY)
                .limit(limit, CAPACITY).build()) {
            RateLimiter l = engine.rateLimiter("stream");
            Decision d = new Decision();
            long started = System.nanoTime();
            for (long key = 0; key < KEYS; key++) {
                if (!l.tryAcquire(key, 1, l.clock().nanoTime(), d)) {
                    fail("key " + key + " of " + KEYS + " was refused: " + d + ", " + l.keyCount() + " keys held");
                }
            }
            report("system clock", started, engine, l);
            assertTrue(engine.eviction().evictions() > 0);
        }
    }

    private static void report(String clock, long started, OffHeapEngine engine, RateLimiter l) {
        System.out.printf("eviction stream (%s): %,d distinct keys through capacity %,d in %,d ms;"
                        + " %,d evicted, %,d held at the end%n", clock, KEYS, CAPACITY,
                (System.nanoTime() - started) / 1_000_000, engine.eviction().evictions(), l.keyCount());
    }
}
