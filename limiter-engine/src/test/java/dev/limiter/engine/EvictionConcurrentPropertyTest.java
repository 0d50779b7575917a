package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;
import dev.limiter.ManualClock;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.AdmissionOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Claims, acquires (by key and through handles cached before their key moved) and evictions race:
 * per phase, acquirer threads take permits on a pool of keys larger than the table while a sweeper
 * thread rotates the table (OffHeapEngine.evictIdleKeys) again and again; the manual clock moves
 * between phases, so keys decay between accesses. Every grant is recorded and a brute-force oracle
 * per key checks the algorithm's guarantee: a key whose live state were lost or split in two by
 * eviction would get a fresh allowance and over-admit.
 */
class EvictionConcurrentPropertyTest {
    private static final int ACQUIRERS = 3;
    private static final int KEYS = 12;
    static final int EXAMPLES = Math.max(25, Integer.getInteger("limiter.property.examples", 1000) / 10);
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(ACQUIRERS + 1);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** N, T, per phase a clock step and asks (key, permits, handle or key). */
    static final class Schedule {
        final long permits;
        final long period;
        final List<Long> steps;
        final List<List<Integer>> asks;

        Schedule(long permits, long period, List<Long> steps, List<List<Integer>> asks) {
            this.permits = permits;
            this.period = period;
            this.steps = steps;
            this.asks = asks;
        }

        @Override
        public String toString() {
            return "N=" + permits + ", T=" + period + "ns, steps " + steps + ", asks " + asks;
        }
    }

    static Gen<Schedule> schedules() {
        return longs().between(1, 6).zip(longs().between(10, 2_000), (n, t) -> new long[] {n, t}).flatMap(s -> {
            Gen<List<Integer>> phase = lists().of(integers().between(0, 1 << 12)).ofSizeBetween(1, 240);
            return lists().of(longs().between(0, 2 * s[1])).ofSize(8)
                    .zip(lists().of(phase).ofSize(8), (steps, asks) -> new Schedule(s[0], s[1], steps, asks));
        });
    }

    private static void check(BiFunction<Long, Long, Limit> limitOf, Oracle oracle) {
        qt().withExamples(EXAMPLES).forAll(schedules()).checkAssert(s -> {
            ManualClock clock = new ManualClock(-3 * s.period);
            Limit limit = limitOf.apply(s.permits, s.period);
            List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY)
                    .limit(limit, 8).build()) {
                RateLimiter l = engine.rateLimiter(limit.name());
                List<LimitHandle> handles = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    handles.add(l.handle(k));
                }
                for (int phase = 0; phase < s.steps.size(); phase++) {
                    long now = clock.advance(s.steps.get(phase));
                    List<Integer> asks = s.asks.get(phase);
                    AtomicInteger running = new AtomicInteger(ACQUIRERS);
                    race(t -> {
                        if (t == ACQUIRERS) {
                            do {                                     // rotate for as long as acquirers run
                                engine.eviction().evictNow();
                            } while (running.get() > 0);
                            return;
                        }
                        for (int i = t; i < asks.size(); i += ACQUIRERS) {
                            int ask = asks.get(i);
                            int key = ask % KEYS;
                            long p = 1 + (ask / KEYS) % Math.min(s.permits, 3);
                            boolean viaHandle = key < handles.size() && ((ask >> 10) & 1) == 1;
                            boolean ok = viaHandle ? handles.get(key).tryAcquire(p, now) : l.tryAcquire(key, p, now);
                            if (ok) {
                                grants.add(new AdmissionOracle.Grant(key, now, p));
                            }
                        }
                        running.decrementAndGet();
                    });
                }
            }
            assertNull(oracle.violation(grants, s.permits, s.period));
        });
    }

    /** A guarantee sentence as a check over every recorded grant. */
    interface Oracle {
        String violation(List<AdmissionOracle.Grant> grants, long permits, long period);
    }

    private static void race(java.util.function.IntConsumer work) {
        CyclicBarrier go = new CyclicBarrier(ACQUIRERS + 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t <= ACQUIRERS; t++) {
            int self = t;
            futures.add(pool.submit(() -> {
                go.await();
                work.accept(self);
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tokenBucketNeverOverAdmitsWhileKeysAreEvicted() {
        check((n, t) -> Limit.tokenBucket("l", n, Duration.ofNanos(t)).burst(Math.max(1, n / 2)).build(),
                (g, n, t) -> AdmissionOracle.tokenBucketViolation(g, n, t, Math.max(1, n / 2)));
    }

    @Test
    void fixedWindowNeverOverAdmitsWhileKeysAreEvicted() {
        check((n, t) -> Limit.fixedWindow("l", n, Duration.ofNanos(t)).build(), AdmissionOracle::fixedWindowViolation);
    }

    @Test
    void slidingWindowNeverOverAdmitsWhileKeysAreEvicted() {
        check((n, t) -> Limit.slidingWindow("l", n, Duration.ofNanos(t)).subWindows(3).build(),
                AdmissionOracle::slidingWindowViolation);
    }
}
