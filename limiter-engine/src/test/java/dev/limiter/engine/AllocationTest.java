package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allowed and denied acquires allocate nothing: counted with the JVM's per-thread allocation counter. */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long allocatedBy(LongPredicate call, long calls) {
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            long granted = 0;
            for (long i = 0; i < 200_000; i++) { // warm up: let the JIT compile the path
                granted += call.test(i) ? 1 : 0;
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < calls; i++) {
                granted += call.test(i) ? 1 : 0;
            }
            long after = THREADS.getCurrentThreadAllocatedBytes();
            assertTrue(granted >= 0);
            best = Math.min(best, after - before);
        }
        return best;
    }

    @Test
    void acquiresAllocateNothing() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 1_000_000_000L, Duration.ofNanos(1)).build(), 10_000)
                .limit(Limit.fixedWindow("fw", 1L << 40, Duration.ofSeconds(1)).build(), 10_000)
                .limit(Limit.tokenBucket("tight", 1, Duration.ofDays(1)).build(), 10_000)
                .build()) {
            RateLimiter tb = e.rateLimiter("tb");
            RateLimiter fw = e.rateLimiter("fw");
            RateLimiter tight = e.rateLimiter("tight");
            LimitHandle handle = tb.handle(3L);
            Decision d = new Decision();
            String[] names = {"alpha", "beta", "gamma", "delta"};
            assertEquals(0, allocatedBy(i -> tb.tryAcquire(i & 1023, 1, i), 100_000), "keyed GCRA");
            assertEquals(0, allocatedBy(i -> tb.tryAcquire(i & 1023), 100_000), "keyed GCRA, own clock");
            assertEquals(0, allocatedBy(i -> tb.tryAcquire(i & 1023, 1, i, d), 100_000), "GCRA with decision");
            assertEquals(0, allocatedBy(i -> handle.tryAcquire(1, i), 100_000), "handle");
            assertEquals(0, allocatedBy(i -> tb.tryAcquire(names[(int) (i & 3)], 1, i, d), 100_000), "string key");
            assertEquals(0, allocatedBy(i -> fw.tryAcquire(i & 1023, 1, i, d), 100_000), "fixed window");
            assertTrue(tight.tryAcquire(1L, 1, 0));
            assertEquals(0, allocatedBy(i -> tight.tryAcquire(1L, 1, 0, d), 100_000), "denied path");
        }
    }
}
