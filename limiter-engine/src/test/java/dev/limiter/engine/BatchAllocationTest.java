package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A batch acquire allocates nothing (granted or denied, with a key twice in one batch, over batches of
 * varying length), and neither does a leased handle, granting from its lease or taking a new one.
 */
class BatchAllocationTest {

    @Test
    void batchesAllocateNothing() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY)
                .limit(Limit.tokenBucket("tb", 1_000_000_000L, Duration.ofNanos(1)).build(), 10_000)
                .limit(Limit.tokenBucket("tight", 1, Duration.ofDays(1)).build(), 10_000)
                .limit(Limit.fixedWindow("fw", 1L << 40, Duration.ofSeconds(1)).build(), 10_000)
                .build()) {
            RateLimiter tb = e.rateLimiter("tb");
            RateLimiter tight = e.rateLimiter("tight");
            RateLimiter fw = e.rateLimiter("fw");
            long[] keys = new long[16];
            boolean[] granted = new boolean[16];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = (i * 37L) % 1024;
            }
            keys[5] = keys[6];                                  // a key twice in one batch
            assertEquals(0, AllocationTest.allocatedBy(i -> tb.tryAcquireBatch(keys, 0, 16, 1, i, granted) > 0,
                    10_000), "granted batches");
            assertEquals(0, AllocationTest.allocatedBy(i -> fw.tryAcquireBatch(keys, (int) (i & 7), 16, 1, i,
                    granted) > 0, 10_000), "fixed-window batches of varying length");
            tight.tryAcquireBatch(keys, 0, 16, 1, 0, granted);
            assertEquals(0, AllocationTest.allocatedBy(i -> tight.tryAcquireBatch(keys, 0, 16, 1, 0, granted) > 0,
                    10_000), "denied batches");
        }
    }

    @Test
    void leasedHandlesAllocateNothing() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 1_000, Duration.ofNanos(1_000)).burst(64).build(), 16)
                .build()) {
            LimitHandle hot = e.rateLimiter("tb").leasedHandle(3L, 8);
            Decision d = new Decision();
            assertEquals(0, AllocationTest.allocatedBy(i -> hot.tryAcquire(1, i), 100_000), "leased grants");
            assertEquals(0, AllocationTest.allocatedBy(i -> hot.tryAcquire(1 + (i & 3), i / 4, d), 100_000),
                    "leased grants, renewals and denials, with a decision");
        }
    }
}
