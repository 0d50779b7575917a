package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.shipped.Attributes;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One gate shared by racing threads on the off-heap engine: the forbidden outcomes are more than
 * N admitted in a window, and more than N requests in flight at once.
 */
class ConcurrentGateTest {
    private static final int THREADS = 4;

    private static void race(Runnable body) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    body.run();
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    }

    @Test
    void racingRequestsAdmitExactlyTheWindowsPermits() throws InterruptedException {
        ManualClock clock = new ManualClock();
        try (PolicyGate gate = PolicyGate.of(NylasV3.policy(), clock)) {
            RequestView r = Request.of("GET", "/v3/grants/g/messages").build();
            AtomicInteger admitted = new AtomicInteger();
            race(() -> {
                for (int i = 0; i < 5_000; i++) {
                    if (gate.evaluate(r, 0).allowed()) {
                        admitted.incrementAndGet();
                    }
                }
            });
            assertEquals(200, admitted.get());
        }
    }

    @Test
    void racingStreamsNeverHoldMoreThanTheirPermits() throws InterruptedException {
        ManualClock clock = new ManualClock();
        PolicyGate gate = PolicyGate.of(NylasV2.policy(), clock);
        try {
            RequestView r = Request.of("GET", "/delta/streaming").attribute(Attributes.APPLICATION, "app")
                    .header("Authorization", "Basic t").build();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            AtomicLong admitted = new AtomicLong();
            race(() -> {
                for (int i = 0; i < 5_000; i++) {
                    Verdict v = gate.evaluate(r, clock.nanoTime());
                    if (v.allowed()) {
                        int now = inFlight.incrementAndGet();
                        peak.accumulateAndGet(now, Math::max);
                        admitted.incrementAndGet();
                        inFlight.decrementAndGet();
                        v.complete();
                    }
                }
            });
            assertTrue(peak.get() <= 10, "peak in flight " + peak.get());
            assertTrue(admitted.get() >= 10, "admitted " + admitted.get());
            // Every permit came back: ten fresh streams fit again.
            Verdict last = null;
            for (int i = 0; i < 10; i++) {
                last = gate.evaluate(r, clock.nanoTime());
                assertTrue(last.allowed());
            }
            gate.close();
            last.complete(); // after close: nothing to return, and no exception into the gateway's finally
        } finally {
            gate.close();
        }
    }
}
