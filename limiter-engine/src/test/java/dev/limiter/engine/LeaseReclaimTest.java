package dev.limiter.engine;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leases are reclaimed by the engine's timer at their max hold H, at most one tick late, never early. */
class LeaseReclaimTest {
    private static final long H = Duration.ofSeconds(1).toNanos();

    private static OffHeapEngine engine(ManualClock clock, long permits) {
        return OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("c", permits, Duration.ofNanos(H)).build(), 16).build();
    }

    @Test
    void aLeaseOfTheWholeLimitHeldAtZeroIsReclaimedByHPlusOneTickAndTheKeyAdmitsAgain() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, 100_000)) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            long tick = e.timerTickNanos();
            Lease crashed = l.tryLease(7L, 100_000, 0, null);
            assertNotNull(crashed);
            e.runTimers();
            assertEquals(1, e.pendingTimers());

            clock.set(H - 1);
            e.runTimers();
            assertFalse(crashed.wasReclaimed(), "reclaimed before H");
            assertTrue(crashed.isHeld());
            assertNull(l.tryLease(7L, 1, H - 1, null));

            clock.set(H + tick);
            e.runTimers();
            assertTrue(crashed.wasReclaimed(), "not reclaimed by H + 1 tick");
            assertFalse(crashed.isHeld());
            assertEquals(1, e.reclaimedLeases());
            assertEquals(0, e.pendingTimers());
            // fired at H + tick exactly: lateness one tick, as HdrHistogram's 2 significant digits report it
            long late = e.timerLatenessNanos(100);
            assertTrue(late >= tick && late <= tick + tick / 100, () -> "late by " + late);

            Decision d = new Decision();
            Lease next = l.tryLease(7L, 100_000, H + tick, d);
            assertNotNull(next, d::toString);
            crashed.close();                             // the late release: a no-op that reports the reclaim
            assertTrue(crashed.wasReclaimed());
            assertNull(l.tryLease(7L, 1, H + tick, null), "the late release freed the new lease's permits");
            next.close();
            assertFalse(next.wasReclaimed());
            assertNotNull(l.tryLease(7L, 100_000, H + tick, null));
        }
    }

    @Test
    void aReleasedLeaseCancelsItsTimerAndIsNeverReportedReclaimed() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, 10)) {
            Lease lease = e.concurrencyLimiter("c").tryLease(7L, 10, 0, null);
            lease.close();
            clock.set(3 * H);
            e.runTimers();
            assertFalse(lease.wasReclaimed());
            assertEquals(0, e.reclaimedLeases());
            assertEquals(0, e.pendingTimers());
        }
    }

    @Test
    void onTheSystemClockTheTickerRunsOnItsOwnThreadFromTheFirstLeaseUntilClose() throws Exception {
        Set<Thread> before = tickerThreads();
        Thread ticker;
        try (OffHeapEngine e = OffHeapEngine.builder()
                .limit(Limit.concurrency("c", 10, Duration.ofHours(1)).build(), 16).build()) {
            assertThrows(IllegalStateException.class, e::runTimers);
            assertEquals(before, tickerThreads(), "started before any timer was needed");
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            Lease lease = l.tryLease(7L, 1, l.clock().nanoTime(), null);
            assertNotNull(lease);
            Set<Thread> started = tickerThreads();
            started.removeAll(before);
            assertEquals(1, started.size(), started::toString);
            ticker = started.iterator().next();
            assertTrue(ticker.isDaemon());
            lease.close();
        }
        ticker.join(10_000);
        assertFalse(ticker.isAlive(), "close() left the ticker running");
    }

    private static Set<Thread> tickerThreads() {
        Set<Thread> found = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("limiter-ticker-engine-") && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }
}
