package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allowed path allocates nothing for every algorithm, composites included, counted with the
 * JVM's per-thread allocation counter around 100,000 warmed-up calls.
 */
class ExactAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int CALLS = 100_000;

    /** @return the fewest bytes allocated by {@code CALLS} calls over a few attempts, after warming up */
    private static long allocatedBy(LongPredicate call) {
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 4 && best != 0; attempt++) {
            long allowed = 0;
            for (long i = 0; i < 200_000; i++) {
                allowed += call.test(i) ? 1 : 0;
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < CALLS; i++) {
                allowed += call.test(i) ? 1 : 0;
            }
            long after = THREADS.getCurrentThreadAllocatedBytes();
            assertTrue(allowed > 0, "the measured path must be the allowed one");
            best = Math.min(best, after - before);
        }
        return best;
    }

    @Test
    void everyAlgorithmAndCompositeAllocatesNothingWhenAllowed() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.slidingWindow("sw", 1L << 30, Duration.ofSeconds(1)).build(), 4_096)
                .limit(Limit.quota("q", Limit.MAX_PERMITS).build(), 4_096)
                .limit(Limit.concurrency("c", 1_000, Duration.ofSeconds(1)).build(), 4_096)
                .limit(Limit.cardinality("card", 1_000).build(), 4_096)
                .limit(Limit.tokenBucket("tb", 1_000_000_000L, Duration.ofNanos(1)).build(), 4_096)
                .limit(Limit.fixedWindow("fw", 1L << 40, Duration.ofSeconds(1)).build(), 4_096)
                .build()) {
            RateLimiter sw = e.rateLimiter("sw");
            RateLimiter q = e.rateLimiter("q");
            Limiter c = e.limiter("c");
            CardinalityLimiter card = e.cardinalityLimiter("card");
            Limiter tb = e.limiter("tb");
            RateLimiter fw = e.rateLimiter("fw");
            Decision d = new Decision();
            String[] parents = {"dev-1", "dev-2", "dev-3"};
            String[] members = {"alice", "bob", "carol", "dave"};

            assertEquals(0, allocatedBy(i -> sw.tryAcquire(i & 1023, 1, i, d)), "sliding window");
            assertEquals(0, allocatedBy(i -> sw.tryAcquire(i & 1023, 1, i * 1_000_003L, d)), "sliding window, rolling");
            assertEquals(0, allocatedBy(i -> q.tryAcquire(i & 1023, 1, i, d)), "quota");
            assertEquals(0, allocatedBy(i -> card.tryAdmit(i & 63, i & 7, i, d)), "cardinality, members");
            assertEquals(0, allocatedBy(i -> card.tryAdmit(parents[(int) (i % 3)], members[(int) (i & 3)], i, d)),
                    "cardinality, string keys");

            Checks lease = new Checks().add(c, 5L, 1);
            assertEquals(0, allocatedBy(i -> {
                boolean ok = e.tryAcquireAll(lease, i, d);
                e.releaseAll(lease, i);
                return ok;
            }), "concurrency through a composite acquire and release");

            Checks composite = new Checks();
            composite.add(tb, 1L, 1).add(sw, 2L, 1).add(fw, "tenant-7", 1).add(q, 3L, 1)
                    .add(c, 4L, 1).addMember(card, 9L, 1L);
            assertEquals(0, allocatedBy(i -> {
                boolean ok = e.tryAcquireAll(composite, i, d);
                e.releaseAll(composite, i);
                return ok;
            }), "composite of six algorithms");

            sw.override(77L, 1L << 31);
            fw.override(78L, 1L << 30);
            assertEquals(0, allocatedBy(i -> sw.tryAcquire(77L, 1, i, d) & fw.tryAcquire(78L, 1, i, d)),
                    "overridden keys");
            assertEquals(0, allocatedBy(i -> sw.tryAcquire(i & 1023, 1, i, d)), "other keys beside overrides");

            RateLimiter denied = e.rateLimiter("q");
            denied.override(50_000L, 1);
            assertTrue(denied.tryAcquire(50_000L, 1, 0, d));
            Checks deny = new Checks().add(sw, 1L, 1).add(denied, 50_000L, 1);
            assertFalse(e.tryAcquireAll(deny, 0, d));
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                e.tryAcquireAll(deny, i, d);
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(bytes < 1024, "a denied composite allocated " + bytes + " bytes");
        }
    }
}
