package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
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

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Several threads acquire on shared and private keys of one engine while a manual clock moves;
 * every grant is recorded and the recorded trace must satisfy the algorithm's guarantee.
 *
 * <p>Two schedules: <em>phased</em> (all threads race at one instant, then the clock moves at a
 * barrier), and, for the token bucket whose guarantee needs no ordering of time stamps,
 * <em>free-running</em> (each thread reads the clock while the test thread advances it).
 */
class ConcurrentGuaranteePropertyTest {
    private static final int THREADS = 3;
    private static final int EXAMPLES = Math.max(100, Integer.getInteger("limiter.property.examples", 1000) / 2);
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** A generated schedule: for each phase, the clock step and each thread's requests (key, permits). */
    static final class Schedule {
        final long permits;
        final long periodNanos;
        final List<Long> steps;
        final List<List<Integer>> asks; // per phase, a flat list of key*8+permits for each thread in turn

        Schedule(long permits, long periodNanos, List<Long> steps, List<List<Integer>> asks) {
            this.permits = permits;
            this.periodNanos = periodNanos;
            this.steps = steps;
            this.asks = asks;
        }

        @Override
        public String toString() {
            return "N=" + permits + " per " + periodNanos + "ns, " + steps.size() + " phases, steps " + steps;
        }
    }

    private static Gen<Schedule> schedules() {
        Gen<Long> permits = longs().between(1, 20);
        Gen<Long> periods = longs().between(1, 5_000);
        return permits.zip(periods, (n, t) -> new long[] {n, t}).flatMap(nt -> {
            Gen<Long> step = longs().between(0, 2 * nt[1]);
            Gen<List<Integer>> phaseAsks = lists().of(integers().between(0, 4 * 8 - 1)).ofSizeBetween(1, 60);
            return lists().of(step).ofSize(12).zip(lists().of(phaseAsks).ofSize(12),
                    (steps, asks) -> new Schedule(nt[0], nt[1], steps, asks));
        });
    }

    @Test
    void tokenBucketHoldsUnderPhasedRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules()).checkAssert(s -> {
            Limit limit = Limit.tokenBucket("tb", s.permits, Duration.ofNanos(s.periodNanos)).build();
            List<AdmissionOracle.Grant> grants = runPhased(limit, s);
            assertNull(AdmissionOracle.tokenBucketViolation(grants, s.permits, s.periodNanos, s.permits));
        });
    }

    @Test
    void fixedWindowHoldsUnderPhasedRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules()).checkAssert(s -> {
            Limit limit = Limit.fixedWindow("fw", s.permits, Duration.ofNanos(s.periodNanos)).build();
            List<AdmissionOracle.Grant> grants = runPhased(limit, s);
            assertNull(AdmissionOracle.fixedWindowViolation(grants, s.permits, s.periodNanos));
        });
    }

    @Test
    void tokenBucketHoldsWhileTheClockRunsUnderTheThreads() throws Exception {
        for (int round = 0; round < 20; round++) {
            long permits = 1 + round % 7;
            long period = 1_000 + 97L * round;
            ManualClock clock = new ManualClock(-5_000 + round * 1_000_003L);
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                    .limit(Limit.tokenBucket("tb", permits, Duration.ofNanos(period)).build(), 64).build()) {
                RateLimiter limiter = engine.rateLimiter("tb");
                CyclicBarrier start = new CyclicBarrier(THREADS + 1);
                List<Future<List<AdmissionOracle.Grant>>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    final int self = t;
                    futures.add(pool.submit(() -> {
                        List<AdmissionOracle.Grant> mine = new ArrayList<>();
                        start.await();
                        for (int i = 0; i < 20_000; i++) {
                            long key = (i + self) % 3 == 0 ? 100 + self : i % 2;
                            long p = 1 + (i % 3 == 0 ? (i / 3) % permits : 0);
                            long now = clock.nanoTime();
                            if (limiter.tryAcquire(key, p, now)) {
                                mine.add(new AdmissionOracle.Grant(key, now, p));
                            }
                        }
                        return mine;
                    }));
                }
                start.await();
                boolean running = true;
                while (running) {
                    clock.advance(period / 7);
                    Thread.yield();
                    running = futures.stream().anyMatch(f -> !f.isDone());
                }
                List<AdmissionOracle.Grant> all = new ArrayList<>();
                for (Future<List<AdmissionOracle.Grant>> f : futures) {
                    all.addAll(f.get(60, TimeUnit.SECONDS));
                }
                assertNull(AdmissionOracle.tokenBucketViolation(all, permits, period, permits));
            }
        }
    }

    private static List<AdmissionOracle.Grant> runPhased(Limit limit, Schedule s) {
        ManualClock clock = new ManualClock(-3 * s.periodNanos);
        List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).limit(limit, 64).build()) {
            RateLimiter limiter = engine.rateLimiter(limit.name());
            for (int phase = 0; phase < s.steps.size(); phase++) {
                long now = clock.advance(s.steps.get(phase));
                List<Integer> asks = s.asks.get(phase);
                CyclicBarrier go = new CyclicBarrier(THREADS);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    final int self = t;
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int i = self; i < asks.size(); i += THREADS) {
                            int key = asks.get(i) / 8;
                            long p = 1 + (asks.get(i) % 8) % limit.permits();
                            if (limiter.tryAcquire(key, p, now)) {
                                grants.add(new AdmissionOracle.Grant(key, now, p));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return grants;
    }
}
