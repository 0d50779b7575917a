package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.table.Fingerprint;
import dev.limiter.engine.internal.table.KeyTable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asynchronous leases (FIFO per key, head of line) and composite waits, step by step on a ManualClock. */
class LeaseWaitTest {
    private static final long MS = 1_000_000L;

    private static OffHeapEngine engine(ManualClock clock) {
        return OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("c", 3, Duration.ofSeconds(10)).build(), 16)
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 16)
                .limit(Limit.fixedWindow("fw", 2, Duration.ofSeconds(1)).build(), 16)
                .build();
    }

    @Test
    void releasedPermitsGoToTheHeadFirstAndALaterSmallerWaiterWaitsBehindIt() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            Lease a = c.tryLease(7L, 2, 0, null);
            Lease b = c.tryLease(7L, 1, 0, null);
            CompletableFuture<Lease> big = e.async().lease(c, 7L, 2, Duration.ofSeconds(1));
            CompletableFuture<Lease> small = e.async().lease(c, 7L, 1, Duration.ofSeconds(1));
            assertFalse(big.isDone());
            b.close();                                    // 1 free: the head wants 2, the small one must not pass it
            assertFalse(big.isDone());
            assertFalse(small.isDone(), "a later waiter was granted before the head");
            a.close();                                    // 3 free: head takes 2, then the small one 1
            assertTrue(big.isDone() && small.isDone());
            assertEquals(2, big.join().permits());
            assertNull(c.tryLease(7L, 1, 0, null), "the waiters' leases do not hold their permits");
            big.join().close();
            small.join().close();
            assertNotNull(c.tryLease(7L, 3, 0, null));
        }
    }

    @Test
    void aRotationMovesAWaitingKeyAndItsReleaseStillServesTheHead() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            c.tryLease(collidingWith7(16), 1, 0, null).close();   // idle, in 7's home slot: 7 probes past it
            Lease a = c.tryLease(7L, 2, 0, null);
            Lease b = c.tryLease(7L, 1, 0, null);
            CompletableFuture<Lease> big = e.async().lease(c, 7L, 2, Duration.ofSeconds(1));
            int slot = ((OffHeapLimiter) c).open().lookup(7L);
            e.eviction().evictNow();                      // the idle key leaves, 7 is copied home: its slot moves
            assertEquals(1, e.eviction().evictions("c"), "the idle key was not evicted");
            assertTrue(((OffHeapLimiter) c).open().lookup(7L) != slot, "the rotation did not move the waiting key");
            CompletableFuture<Lease> small = e.async().lease(c, 7L, 1, Duration.ofSeconds(1));
            assertFalse(small.isDone(), "a request after the rotation did not find the key's queue");
            b.close();                                    // 1 free, released in the new table: the head wants 2
            assertFalse(big.isDone());
            assertFalse(small.isDone(), "a later waiter was granted before the head");
            e.eviction().evictNow();
            a.close();                                    // released from a lease granted two tables ago
            assertTrue(big.isDone(), "the release in the new table did not find the waiting key's queue");
            assertTrue(small.isDone());
            assertNull(c.tryLease(7L, 1, 0, null), "the waiters' leases do not hold their permits");
            e.eviction().evictNow();
            big.join().close();
            small.join().close();
            Lease all = c.tryLease(7L, 3, 0, null);
            assertNotNull(all, "permits granted to waiters across rotations were not returned");
            all.close();
        }
    }

    /** @return an idle key whose home slot is key 7's in a table of a limiter of {@code capacity} */
    static long collidingWith7(long capacity) {
        long claims = KeySpace.claimLimit(capacity, true);
        int home = Fingerprint.find(new KeyTable(claims, 1), 7L);
        for (long x = 1_000;; x++) {
            if (Fingerprint.find(new KeyTable(claims, 1), x) == home) {
                return x;
            }
        }
    }

    @Test
    void aWaiterTimesOutAtMaxWaitAndTheNextOneIsConsideredThen() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            Lease a = c.tryLease(7L, 2, 0, null);
            CompletableFuture<Lease> big = e.async().lease(c, 7L, 2, Duration.ofMillis(5));
            CompletableFuture<Lease> small = e.async().lease(c, 7L, 1, Duration.ofMillis(50));
            assertFalse(small.isDone(), "joined the queue's tail without waiting behind its head");
            clock.set(5 * MS + e.timerTickNanos());
            e.runTimers();
            CompletionException thrown = assertThrows(CompletionException.class, big::join);
            assertInstanceOf(AcquireRefusedException.class, thrown.getCause());
            assertTrue(small.isDone(), "the waiter behind a head that timed out was not served");
            assertEquals(1, small.join().permits());
            small.join().close();
            a.close();
            e.runTimers();
            assertEquals(0, e.pendingTimers(), "a timer of a wait or lease is left");
        }
    }

    @Test
    void cancellingAWaitHoldsNothingAndLetsTheNextOneGo() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            Lease a = c.tryLease("k", 3, 0, null);
            CompletableFuture<Lease> first = e.async().lease(c, "k", 3, Duration.ofSeconds(1));
            CompletableFuture<Lease> second = e.async().lease(c, new StringBuilder("k"), 1, Duration.ofSeconds(1));
            assertTrue(first.cancel(false));
            assertFalse(second.isDone());
            a.close();
            assertTrue(second.isDone());
            assertTrue(first.isCancelled());
            assertEquals(1, second.join().permits());
            second.join().close();
            assertFalse(first.cancel(false), "cancelled twice");
            assertNotNull(c.tryLease("k", 3, 0, null), "a cancelled wait kept permits");
        }
    }

    @Test
    void aReclaimedLeaseServesTheQueueOnTheTicker() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            c.tryLease(7L, 3, 0, null);                  // never closed
            CompletableFuture<Lease> w = e.async().lease(c, 7L, 1, Duration.ofSeconds(20));
            clock.set(Duration.ofSeconds(10).toNanos() + e.timerTickNanos());
            e.runTimers();
            assertTrue(w.isDone(), "the reclaim did not serve the waiter");
            assertEquals(1, e.reclaimedLeases());
            w.join().close();
        }
    }

    @Test
    void leaseWaitsRefuseAtOnceWhatWaitingCannotHelp() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            ConcurrencyLimiter c = e.concurrencyLimiter("c");
            CompletableFuture<Lease> tooMany = e.async().lease(c, 7L, 4, Duration.ofSeconds(1));
            AcquireRefusedException refused = assertInstanceOf(AcquireRefusedException.class,
                    assertThrows(CompletionException.class, tooMany::join).getCause());
            assertEquals(Outcome.UNSATISFIABLE, refused.decision().outcome());
            Lease all = c.tryLease(7L, 3, 0, null);
            assertTrue(e.async().lease(c, 7L, 1, Duration.ZERO).isCompletedExceptionally());
            all.close();
        }
    }

    @Test
    void aCompositeWaitRetriesAfterTheLongestDenialAndTakesAllOrNothing() {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = engine(clock)) {
            RateLimiter tb = e.rateLimiter("tb");
            RateLimiter fw = e.rateLimiter("fw");
            assertTrue(tb.tryAcquire(7L, 10, 0, null));   // the bucket conforms again at 100 ms
            assertTrue(fw.tryAcquire(7L, 2, 0, null));    // the window opens at 1 s
            Checks checks = new Checks().add(tb, 7L, 1).add(fw, 7L, 1);
            CompletableFuture<Decision> f = e.async().acquireAll(checks, Duration.ofMillis(999));
            AcquireRefusedException refused = assertInstanceOf(AcquireRefusedException.class,
                    assertThrows(CompletionException.class, f::join).getCause());
            assertEquals(1_000 * MS, refused.decision().retryAfterNanos(), "not the longest retry-after");
            CompletableFuture<Decision> g = e.async().acquireAll(checks, Duration.ofSeconds(2));
            clock.set(100 * MS + e.timerTickNanos());
            e.runTimers();
            assertFalse(g.isDone(), "granted while the window still denies");
            assertTrue(tb.tryAcquire(7L, 1, clock.nanoTime(), null), "the bucket's permit was taken by a wait that failed");
            clock.set(1_000 * MS + e.timerTickNanos());
            e.runTimers();
            assertTrue(g.join().allowed());
            assertFalse(fw.tryAcquire(7L, 2, clock.nanoTime(), null), "the window's permit was not taken");
            Decision told = e.acquireAllAsync(new Checks().add(fw, 8L, 3), 0).join();
            assertEquals(Outcome.UNSATISFIABLE, told.outcome(), "acquireAllAsync completes normally with the refusal");
        }
    }
}
