package dev.limiter.engine;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Asynchronous leases on a concurrency limit against an independent model, on random traces of
 * time steps, synchronous leases (which may barge), asynchronous leases, lease closes and
 * cancellations (ManualClock, {@link OffHeapEngine#runTimers()} after every step):
 * <ul>
 *   <li>at every instant the permits held by the trace's unclosed, unreclaimed leases are at most N
 *       (the oracle counts them itself);</li>
 *   <li>head of line: when a waiter is granted, every waiter that queued before it on the key has
 *       already been told or cancelled;</li>
 *   <li>no waiter is granted after its start + maxWait, each is told once (a cancelled one never),
 *       and every wait has been told once time has passed all maxWaits;</li>
 *   <li>cancelling leaves nothing held: once every granted lease is closed, N permits are free.</li>
 * </ul>
 * A second property runs the same oracle with threads leasing, waiting and closing at once.
 */
class LeaseWaitPropertyTest {
    private static final long N = 4;
    private static final long HOLD = Duration.ofSeconds(10).toNanos();

    /** kind 0 sync lease, 1 async lease, 2 close held lease #pick, 3 cancel wait #pick; dt in microseconds. */
    record Op(long dtMicros, int kind, int permits, int maxWaitMillis, int pick) {
        @Override
        public String toString() {
            return "+" + dtMicros + "us " + (kind == 0 ? "lease p" + permits
                    : kind == 1 ? "wait p" + permits + " " + maxWaitMillis + "ms"
                    : kind == 2 ? "close#" + pick : "cancel#" + pick);
        }
    }

    /** The model: leases it holds, in the order granted. */
    static final class Model {
        final List<Lease> held = new ArrayList<>();
        long heldPermits;

        void granted(Lease lease, String who) {
            held.add(lease);
            heldPermits += lease.permits();
            if (heldPermits > N) {
                fail(who + " made " + heldPermits + " permits held at once, limit " + N);
            }
        }

        void close(int pick) {
            if (!held.isEmpty()) {
                Lease l = held.remove(pick % held.size());
                heldPermits -= l.permits();
                l.close();
            }
        }
    }

    final class Wait implements LeaseCallback {
        final int order;
        final long start;
        final long deadline;
        final List<Wait> queue;
        final Model model;
        final ManualClock clock;
        Future<Lease> pending;
        boolean cancelled;
        int told;

        Wait(int order, long start, long maxWait, List<Wait> queue, Model model, ManualClock clock) {
            this.order = order;
            this.start = start;
            this.deadline = start + maxWait;
            this.queue = queue;
            this.model = model;
            this.clock = clock;
        }

        boolean open() {
            return told == 0 && !cancelled;
        }

        @Override
        public void granted(Lease lease, Decision decision) {
            told++;
            long now = clock.nanoTime();
            if (now > deadline) {
                fail("wait #" + order + " from " + start + " granted at " + now + ", after its deadline " + deadline);
            }
            for (Wait earlier : queue) {
                if (earlier.order < order && earlier.pending != null && earlier.open()) {
                    fail("wait #" + order + " granted while earlier wait #" + earlier.order + " still waits");
                }
            }
            model.granted(lease, "wait #" + order);
        }

        @Override
        public void refused(Decision decision) {
            told++;
        }
    }

    private static Gen<Op> ops() {
        return integers().between(0, 3).zip(integers().between(0, 30_000), integers().between(1, 3),
                integers().between(0, 50), integers().between(0, 1_000),
                (k, dt, p, w, pick) -> new Op(k == 0 || k == 1 ? dt / 10 : dt, k, p, w, pick));
    }

    @Test
    void waitersNeverOverAdmitKeepFifoOrderAndNeverCompleteAfterMaxWait() {
        qt().withExamples(200).forAll(lists().of(ops()).ofSizeBetween(1, 80)).checkAssert(this::check);
    }

    private void check(List<Op> trace) {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("c", N, Duration.ofNanos(HOLD)).build(), 4).build()) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            Model model = new Model();
            List<Wait> waits = new ArrayList<>();
            l.tryLease(LeaseWaitTest.collidingWith7(4), 1, 0, null).close();   // 7's first rotation moves its slot
            for (Op op : trace) {
                if (op.pick % 7 == 0) {
                    e.eviction().evictNow();                 // a rotation: key 7 (held or waited on) is copied or evicted
                }
                long now = clock.advance(op.dtMicros * 1_000);
                e.runTimers();
                if (op.kind == 0) {
                    Lease lease = l.tryLease(7L, op.permits, now, null);
                    if (lease != null) {
                        model.granted(lease, "a synchronous lease");
                    }
                } else if (op.kind == 1) {
                    Wait w = new Wait(waits.size(), now, op.maxWaitMillis * 1_000_000L, waits, model, clock);
                    waits.add(w);
                    w.pending = e.async().lease(l, 7L, op.permits, op.maxWaitMillis * 1_000_000L, w);
                    if (w.pending == null && w.told != 1) {
                        fail("wait #" + w.order + " returned no pending wait but was told " + w.told + " times");
                    }
                } else if (op.kind == 2) {
                    model.close(op.pick);
                } else if (!waits.isEmpty()) {
                    Wait w = waits.get(op.pick % waits.size());
                    if (w.pending != null && w.open()) {
                        w.cancelled = true;                  // a cancel of the head serves the next one during the call
                        w.cancelled = w.pending.cancel(false);
                    }
                }
            }
            clock.advance(Duration.ofMillis(100));
            e.runTimers();
            for (Wait w : waits) {
                if (w.told != (w.cancelled ? 0 : 1)) {
                    fail("wait #" + w.order + (w.cancelled ? " (cancelled)" : "") + " was told " + w.told + " times");
                }
            }
            while (!model.held.isEmpty()) {
                model.close(0);
            }
            Lease all = l.tryLease(7L, N, clock.nanoTime(), null);
            assertNotNull(all, "permits stayed held after every lease was closed and every wait ended");
            all.close();
            assertEquals(0, ((OffHeapLimiter) l).steps().waiters().size());
        }
    }

    /**
     * Threads take leases synchronously and asynchronously on one key and close them; the model
     * counts permits held (incremented on grant, decremented before close) and must never see more
     * than N. Time does not move, so every wait is granted by a release: all are told.
     */
    @Test
    void concurrentCallersNeverHoldMoreThanTheLimitAndEveryWaiterIsServed() {
        qt().withExamples(10).forAll(integers().between(2, 4), integers().between(50, 300))
                .checkAssert((threads, perThread) -> concurrent(threads, perThread));
    }

    private void concurrent(int threads, int perThread) {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("c", N, Duration.ofNanos(HOLD)).build(), 4).build()) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            AtomicLong held = new AtomicLong();
            AtomicLong worst = new AtomicLong();
            AtomicInteger told = new AtomicInteger();
            ConcurrentLinkedQueue<Lease> toClose = new ConcurrentLinkedQueue<>();
            LeaseCallback cb = new LeaseCallback() {
                @Override
                public void granted(Lease lease, Decision decision) {
                    worst.accumulateAndGet(held.addAndGet(lease.permits()), Math::max);
                    told.incrementAndGet();
                    toClose.add(lease);
                }

                @Override
                public void refused(Decision decision) {
                    told.incrementAndGet();
                }
            };
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            AtomicInteger asked = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread; i++) {
                        long p = 1 + r.nextInt(2);
                        if (r.nextBoolean()) {
                            Lease lease = l.tryLease(7L, p, 0L, null);
                            if (lease != null) {
                                worst.accumulateAndGet(held.addAndGet(p), Math::max);
                                toClose.add(lease);
                            }
                        } else {
                            asked.incrementAndGet();
                            e.async().lease(l, 7L, p, Long.MAX_VALUE, cb);
                        }
                        Lease c = toClose.poll();
                        if (c != null) {
                            held.addAndGet(-c.permits());
                            c.close();
                        }
                        if (r.nextInt(40) == 0) {
                            e.eviction().evictNow();         // rotations race with waits and releases
                        }
                    }
                });
                workers.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : workers) {
                try {
                    th.join();
                } catch (InterruptedException ex) {
                    throw new AssertionError(ex);
                }
            }
            for (long spins = 0; told.get() < asked.get() || !toClose.isEmpty(); spins++) {
                Lease c = toClose.poll();
                if (c != null) {
                    held.addAndGet(-c.permits());
                    c.close();
                } else if (spins > 10_000_000L) {
                    fail("waits left untold with no lease to close: " + told.get() + " of " + asked.get());
                }
            }
            assertTrue(worst.get() <= N, "held " + worst.get() + " permits at once, limit " + N);
            assertEquals(asked.get(), told.get(), "waits left untold");
            assertEquals(0, ((OffHeapLimiter) l).steps().waiters().size());
        }
    }
}
