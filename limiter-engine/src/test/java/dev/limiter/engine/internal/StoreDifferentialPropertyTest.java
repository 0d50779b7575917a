package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.SlidingWindowKernel;
import dev.limiter.engine.internal.store.HeapSlots;
import dev.limiter.engine.internal.store.OffHeapSlots;
import dev.limiter.engine.internal.time.StalenessFloor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

/**
 * The same kernel over the two stores: the off-heap slot and the in-heap {@code long[]} model
 * decide every step alike, with the same figures, and leave the same state words; under concurrent
 * callers the in-heap store keeps the kernel's bound exactly as the off-heap one does.
 */
class StoreDifferentialPropertyTest {

    @Test
    void offHeapAndInHeapStoresDecideAndStoreAlike() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES).forAll(KernelContractPropertyTest.cases())
                .checkAssert(c -> {
                    Kernel k = KernelContractPropertyTest.kernel(c);
                    int words = k.stateWords();
                    OffHeapSlots offHeap = new OffHeapSlots(new UnsafeBuffer(ByteBuffer.allocateDirect(8 * words)));
                    HeapSlots inHeap = new HeapSlots(words);
                    Decision da = new Decision();
                    Decision db = new Decision();
                    long now = -5 * c.t;
                    for (KernelContractPropertyTest.Step s : c.steps) {
                        now += s.dt;
                        if (s.permits > k.maxPermits()) {
                            continue;
                        }
                        long a = offHeap.acquire(k, 0, s.permits, now, StalenessFloor.NONE, da);
                        long b = inHeap.acquire(k, 0, s.permits, now, StalenessFloor.NONE, db);
                        assertEquals(a, b, () -> "the stores published different words at " + s);
                        assertEquals(da.toString(), db.toString(), () -> "the stores reported differently at " + s);
                        if (s.refund && a != Kernel.DENIED) {
                            offHeap.refund(k, 0, s.permits, k.token(a, now), now);
                            inHeap.refund(k, 0, s.permits, k.token(b, now), now);
                        }
                        for (int w = 0; w < words; w++) {
                            final int word = w;
                            assertEquals(offHeap.wordAcquire(0, w), inHeap.wordAcquire(0, w),
                                    () -> "state word " + word + " differs after " + s);
                        }
                    }
                });
    }

    @Test
    void concurrentCallersOnTheInHeapStoreNeverExceedTheWindow() throws Exception {
        SlidingWindowKernel k = new SlidingWindowKernel(
                Limit.slidingWindow("sw", 1_000, Duration.ofMillis(10)).subWindows(4).build());
        for (int round = 0; round < 20; round++) {
            HeapSlots store = new HeapSlots(k.stateWords());
            AtomicLong granted = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < 1_000; i++) {
                        // all callers inside one window of length T: at most N in total, and with
                        // every caller asking more than N, exactly N
                        long now = i % 4 * 1_000_000L;
                        if (store.acquire(k, 0, 1, now, StalenessFloor.NONE, null) != Kernel.DENIED) {
                            granted.incrementAndGet();
                        }
                    }
                });
                threads[t].start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1_000, granted.get(), "permits granted in one window of N = 1000");
        }
    }

}
