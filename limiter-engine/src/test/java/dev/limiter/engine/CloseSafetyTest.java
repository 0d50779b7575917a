package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After close every call throws, a racing call never touches freed memory, and the memory is released. */
class CloseSafetyTest {
    private static Limit limit() {
        return Limit.tokenBucket("tb", 1_000_000, Duration.ofSeconds(1)).build();
    }

    @Test
    void everyCallAfterCloseThrowsIllegalState() {
        OffHeapEngine engine = OffHeapEngine.builder().limit(limit(), 1_000).build();
        RateLimiter l = engine.rateLimiter("tb");
        LimitHandle h = l.handle(5L);
        engine.close();
        engine.close(); // idempotent
        assertTrue(engine.isClosed());
        assertThrows(IllegalStateException.class, () -> l.tryAcquire(5L));
        assertThrows(IllegalStateException.class, () -> l.tryAcquire("k"));
        assertThrows(IllegalStateException.class, () -> l.tryAcquire(new byte[] {1}, 1, 0, null));
        assertThrows(IllegalStateException.class, h::tryAcquire);
        assertThrows(IllegalStateException.class, () -> l.handle(6L));
        assertThrows(IllegalStateException.class, l::keyCount);
        assertThrows(IllegalStateException.class, () -> engine.limiter("tb"));
        assertThrows(IllegalStateException.class, engine::bytesAllocated);
    }

    @Test
    void callsRacingWithCloseCompleteOrThrowButNeverCrash() throws Exception {
        for (int round = 0; round < 30; round++) {
            OffHeapEngine engine = OffHeapEngine.builder().limit(limit(), 10_000).build();
            RateLimiter l = engine.rateLimiter("tb");
            LimitHandle h = l.handle(1L);
            CountDownLatch started = new CountDownLatch(3);
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            AtomicLong completed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                final int self = t;
                Thread thread = new Thread(() -> {
                    started.countDown();
                    long[] batch = new long[80];                    // spans three of the batch's groups
                    boolean[] granted = new boolean[batch.length];
                    try {
                        for (long i = 0; ; i++) {
                            if (self == 0) {
                                l.tryAcquire(i % 5_000, 1, i);
                            } else if (self == 1) {
                                h.tryAcquire(1, i);
                            } else {
                                for (int k = 0; k < batch.length; k++) {
                                    batch[k] = (i * batch.length + k) % 5_000;
                                }
                                l.tryAcquireBatch(batch, 0, batch.length, 1, i, granted);
                            }
                            completed.incrementAndGet();
                        }
                    } catch (IllegalStateException closed) {
                        // the only way out: the limiter was closed under us
                    } catch (Throwable other) {
                        unexpected.set(other);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            started.await();
            while (completed.get() < 1_000) {
                Thread.onSpinWait();
            }
            engine.close();
            for (Thread t : threads) {
                t.join(30_000);
                assertTrue(!t.isAlive(), "a caller did not notice the close");
            }
            assertNull(unexpected.get());
        }
    }

    /** Direct memory in use once repeated GCs stop freeing any (garbage of earlier tests included). */
    private static long settled(BufferPoolMXBean direct) throws InterruptedException {
        long previous = Long.MAX_VALUE;
        long now = direct.getMemoryUsed();
        for (int i = 0; i < 50 && (now < previous || i < 3); i++) {
            System.gc();
            Thread.sleep(20); // lets the cleaner thread run; no rate-limit timing depends on it
            previous = now;
            now = direct.getMemoryUsed();
        }
        return now;
    }

    /**
     * Direct memory in use once the JDK's cleaner has freed what it can, waiting (at most about ten
     * seconds) until the use falls below {@code target}: the cleaner is a separate thread that runs
     * only after a GC has found a buffer unreachable, so one GC and a fixed pause are not enough on a
     * loaded machine. Nothing about rate limiting is timed here.
     */
    private static long settledBelow(BufferPoolMXBean direct, long target) throws InterruptedException {
        long now = direct.getMemoryUsed();
        for (int i = 0; i < 500 && now >= target; i++) {
            System.gc();
            Thread.sleep(20);
            now = direct.getMemoryUsed();
        }
        return now;
    }

    @Test
    void closingReleasesTheDirectMemory() throws Exception {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long before = settled(direct);
        OffHeapEngine engine = OffHeapEngine.builder().limit(limit(), 2_000_000).build();
        long table = engine.bytesAllocated();
        assertTrue(direct.getMemoryUsed() - before >= table, "table not in direct memory");
        engine.close();
        long after = settledBelow(direct, before + table);
        assertTrue(after - before < table, "direct memory not released: " + (after - before) + " of " + table);
        assertEquals(120_001_920L, table, "2M live keys: (2 x 2M + 64) claims x 24-byte slots / 0.8 load");
    }
}
