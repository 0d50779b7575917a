package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Swaps racing requests: a concurrency rule kept by every swap never has more than N requests in
 * flight, and every lease taken before any swap is returned to it; the rule beside it is changed
 * by every swap, so most requests span two engines.
 */
class ConcurrentSwapTest {
    private static final int THREADS = 3;
    private static final int STREAMS = 2;

    private static Policy policy(int version) {
        Rule streams = Rule.named("streams").route("GET", "/s/{id}").key(KeyPart.pathVariable("id"))
                .limit(Limit.concurrency("streams", STREAMS, Duration.ofHours(1)).build()).source("doc", "streams").build();
        Rule calls = Rule.named("calls").route("GET", "/s/{id}").key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow("calls", 1_000_000 - version % 2, Duration.ofHours(1)).build())
                .source("doc", "calls").build();
        return Policy.named("p").version(Integer.toString(version)).rule(streams).rule(calls).build();
    }

    @Test
    void keptLeasesNeverExceedTheLimitAndAllReturnAcrossSwaps() throws InterruptedException {
        try (PolicyGate gate = PolicyGate.builder(policy(0)).clock(new ManualClock()).defaultCapacity(16).build()) {
            RequestView request = Request.of("GET", "/s/a").build();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger admitted = new AtomicInteger();
            List<Throwable> failures = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < 3_000; i++) {
                            Verdict v = gate.evaluate(request);
                            if (v.allowed()) {
                                admitted.incrementAndGet();
                                int now = inFlight.incrementAndGet();
                                if (now > STREAMS) {
                                    throw new AssertionError(now + " in flight, limit " + STREAMS);
                                }
                                inFlight.decrementAndGet();
                            }
                            v.complete();
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int version = 1; version <= 100; version++) {
                        gate.swap(policy(version));
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread th : threads) {
                th.join();
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertTrue(admitted.get() > 0);
            assertEquals("100", gate.policy().version());
            assertEquals(99, gate.closeRetired(), "every engine made for a swap's calls rule but the last is retired");
            List<Verdict> held = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                Verdict v = gate.evaluate(request);
                assertTrue(v.allowed(), "lease " + i + " of " + STREAMS + " is free again: " + v);
                held.add(v);
            }
            Verdict over = gate.evaluate(request);
            assertFalse(over.allowed());
            over.complete();
            held.forEach(Verdict::complete);
        }
    }
}
