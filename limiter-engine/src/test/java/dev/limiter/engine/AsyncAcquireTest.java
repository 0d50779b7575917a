package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asynchronous acquire on a ManualClock: completes at the conformance time, never after maxWait, parks no thread. */
class AsyncAcquireTest {
    private static final long MS = 1_000_000L;

    private static OffHeapEngine engine(ManualClock clock, Limit limit) {
        return OffHeapEngine.builder().clock(clock).limit(limit, 16).build();
    }

    @Test
    void aTokenBucketWaiterCompletesWhenItsPermitConformsAndNotBefore() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("tb");
            assertTrue(l.tryAcquire(7L, 10, 0, null));
            CompletableFuture<Decision> f = e.async().acquire(l, 7L, 1, Duration.ofMillis(150));
            assertFalse(f.isDone());
            clock.set(100 * MS - 1);
            e.runTimers();
            assertFalse(f.isDone(), "completed before the permit conformed");
            clock.set(100 * MS + e.timerTickNanos());
            e.runTimers();
            assertTrue(f.isDone(), "not completed one tick after the permit conformed");
            assertTrue(f.join().allowed());
            assertFalse(l.tryAcquire(7L, 1, clock.nanoTime(), null), "the waiter's permit was not taken");
        }
    }

    @Test
    void aWaitLongerThanMaxWaitFailsAtOnceWithTheRetryAfter() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.fixedWindow("fw", 5, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("fw");
            assertTrue(l.tryAcquire(7L, 5, 0, null));
            CompletableFuture<Decision> f = e.async().acquire(l, 7L, 1, Duration.ofMillis(999));
            assertTrue(f.isCompletedExceptionally(), "waited although the window opens after maxWait");
            CompletionException thrown = assertThrows(CompletionException.class, f::join);
            AcquireRefusedException refused = assertInstanceOf(AcquireRefusedException.class, thrown.getCause());
            assertEquals(1_000 * MS, refused.decision().retryAfterNanos());
            assertEquals(0, e.pendingTimers());

            AtomicInteger granted = new AtomicInteger();
            List<Decision> refusals = new ArrayList<>();
            AcquireCallback cb = new AcquireCallback() {
                @Override
                public void granted(Decision decision) {
                    granted.incrementAndGet();
                }

                @Override
                public void refused(Decision decision) {
                    refusals.add(decision.snapshot());
                }
            };
            assertNull(e.async().acquire(l, 7L, 1, 999 * MS, cb), "the callback form waited");
            assertEquals(1, refusals.size());
            assertNull(e.async().acquire(l, 8L, 1, 0, cb));
            assertEquals(1, granted.get());
        }
    }

    @Test
    void aWindowWaiterCompletesWhenTheWindowOpensAndACancelledOneTakesNothing() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.fixedWindow("fw", 2, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("fw");
            assertTrue(l.tryAcquire(7L, 2, 0, null));
            CompletableFuture<Decision> kept = e.async().acquire(l, 7L, 1, Duration.ofSeconds(2));
            CompletableFuture<Decision> cancelled = e.async().acquire(l, 7L, 1, Duration.ofSeconds(2));
            assertTrue(cancelled.cancel(false));
            long open = 1_000 * MS + e.timerTickNanos();
            clock.set(open);
            e.runTimers();
            assertTrue(kept.isDone(), "the window opened a tick ago");
            assertTrue(kept.join().allowed());
            assertTrue(cancelled.isCancelled());
            assertTrue(l.tryAcquire(7L, 1, open, null), "the cancelled wait took a permit");
            assertFalse(l.tryAcquire(7L, 1, open, null));
        }
    }

    @Test
    void aWaiterWhosePermitsAreTakenWaitsAgainAndFailsAtMaxWaitNeverLater() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.fixedWindow("fw", 1, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("fw");
            assertTrue(l.tryAcquire(7L, 1, 0, null));
            CompletableFuture<Decision> f = e.async().acquire(l, 7L, 1, Duration.ofMillis(1_500));
            long open = 1_000 * MS + e.timerTickNanos();
            clock.set(open);
            assertTrue(l.tryAcquire(7L, 1, open, null));         // a synchronous caller is first
            e.runTimers();
            assertTrue(f.isCompletedExceptionally(), "next window opens at 2 s, after maxWait: refused at once");
        }
    }

    @Test
    void aHundredThousandPendingWaitsStartNoThread() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock, Limit.tokenBucket("tb", 1, Duration.ofSeconds(1)).build())) {
            RateLimiter l = e.rateLimiter("tb");
            assertTrue(l.tryAcquire(7L, 1, 0, null));
            // threads of other tests may end meanwhile, so the check is that no thread was started
            java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
            List<CompletableFuture<Decision>> waits = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                waits.add(e.async().acquire(l, 7L, 1, Duration.ofDays(1)));
                if (i % 8_192 == 0) {
                    e.runTimers();                       // drains the ticker's command queue
                }
            }
            e.runTimers();
            List<String> started = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t)).map(Thread::getName).toList();
            assertEquals(List.of(), started, "threads started by 100,000 pending waits");
            assertEquals(100_000, e.pendingTimers());
            assertEquals(0, waits.stream().filter(CompletableFuture::isDone).count());
            clock.set(1_000 * MS + e.timerTickNanos());
            e.runTimers();
            assertEquals(1, waits.stream().filter(CompletableFuture::isDone).count(), "one permit, one grant");
            assertEquals(99_999, e.pendingTimers());
        }
    }
}
