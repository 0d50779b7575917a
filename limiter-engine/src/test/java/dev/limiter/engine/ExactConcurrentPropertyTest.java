package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Lease;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Several threads race on shared keys of one engine while the test moves a shared manual clock
 * between phases (no sleeps); every grant is recorded and the recorded trace must satisfy the
 * algorithm's guarantee sentence: every window for the sliding window, every instant for leases,
 * the total for quotas, distinct members for cardinality.
 */
class ExactConcurrentPropertyTest {
    private static final int THREADS = 3;
    private static final int KEYS = 3;
    static final int EXAMPLES = Math.max(50, Integer.getInteger("limiter.property.examples", 1000) / 4);
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** A schedule: N, T (or H), k, and per phase a clock step and a flat list of asks (key, permits, extra). */
    static final class Schedule {
        final long permits;
        final long period;
        final int k;
        final List<Long> steps;
        final List<List<Integer>> asks;

        Schedule(long permits, long period, int k, List<Long> steps, List<List<Integer>> asks) {
            this.permits = permits;
            this.period = period;
            this.k = k;
            this.steps = steps;
            this.asks = asks;
        }

        @Override
        public String toString() {
            return "N=" + permits + ", T=" + period + "ns, k=" + k + ", steps " + steps + ", asks " + asks;
        }
    }

    static Gen<Schedule> schedules(int phases) {
        return longs().between(1, 16).zip(longs().between(10, 5_000), integers().between(1, 8),
                (n, t, k) -> new long[] {n, t, k}).flatMap(s -> {
                    Gen<List<Integer>> phase = lists().of(integers().between(0, 1 << 12)).ofSizeBetween(1, 45);
                    return lists().of(longs().between(0, 2 * s[1])).ofSize(phases)
                            .zip(lists().of(phase).ofSize(phases),
                                    (steps, asks) -> new Schedule(s[0], s[1], (int) s[2], steps, asks));
                });
    }

    /** Runs {@code work.apply(thread)} on every thread at once and waits. */
    private static <T> List<T> race(IntFunction<Callable<T>> work) {
        CyclicBarrier go = new CyclicBarrier(THREADS);
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Callable<T> c = work.apply(t);
            futures.add(pool.submit(() -> {
                go.await();
                return c.call();
            }));
        }
        List<T> out = new ArrayList<>();
        try {
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static int key(int ask) {
        return ask % KEYS;
    }

    private static long permits(int ask, long n) {
        return 1 + (ask / KEYS) % Math.min(n, 4);
    }

    @Test
    void slidingWindowHoldsInEveryWindowUnderRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules(10)).checkAssert(s -> {
            ManualClock clock = new ManualClock(-2 * s.period);
            Limit limit = Limit.slidingWindow("sw", s.permits, Duration.ofNanos(s.period)).subWindows(s.k).build();
            List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).limit(limit, 16).build()) {
                RateLimiter sw = engine.rateLimiter("sw");
                for (int phase = 0; phase < s.steps.size(); phase++) {
                    long now = clock.advance(s.steps.get(phase));
                    List<Integer> asks = s.asks.get(phase);
                    race(t -> () -> {
                        for (int i = t; i < asks.size(); i += THREADS) {
                            int key = key(asks.get(i));
                            long p = permits(asks.get(i), s.permits);
                            if (sw.tryAcquire(key, p, now)) {
                                grants.add(new AdmissionOracle.Grant(key, now, p));
                            }
                        }
                        return null;
                    });
                }
            }
            assertNull(AdmissionOracle.slidingWindowViolation(grants, s.permits, s.period));
        });
    }

    @Test
    void leasesHeldNeverExceedNUnderRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules(12)).checkAssert(s -> {
            ManualClock clock = new ManualClock(5 - s.period);
            long hold = 3 * s.period;
            Limit limit = Limit.concurrency("c", s.permits, Duration.ofNanos(hold)).build();
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).limit(limit, 16).build()) {
                ConcurrencyLimiter c = engine.concurrencyLimiter("c");
                List<List<Object[]>> held = new ArrayList<>();   // per thread: {key, permits, acquiredAt, lease}
                for (int t = 0; t < THREADS; t++) {
                    held.add(new ArrayList<>());
                }
                for (int phase = 0; phase < s.steps.size(); phase++) {
                    long now = clock.advance(s.steps.get(phase));
                    List<Integer> asks = s.asks.get(phase);
                    race(t -> () -> {                    // releases first: each thread closes some of its leases
                        List<Object[]> mine = held.get(t);
                        for (int i = mine.size() - 1; i >= 0; i--) {
                            if (((asks.get(i % asks.size()) >> 6) & 1) == 1) {
                                ((Lease) mine.get(i)[3]).close();
                                ((Lease) mine.get(i)[3]).close();   // a second release must be harmless
                                mine.remove(i);
                            }
                        }
                        return null;
                    });
                    race(t -> () -> {                    // then acquires only: held grows monotonically
                        for (int i = t; i < asks.size(); i += THREADS) {
                            int key = key(asks.get(i));
                            long p = permits(asks.get(i), s.permits);
                            Lease lease = c.tryLease(key, p, now, null);
                            if (lease != null) {
                                held.get(t).add(new Object[] {key, p, now, lease});
                            }
                        }
                        return null;
                    });
                    Map<Integer, Long> perKey = new HashMap<>();
                    for (List<Object[]> mine : held) {
                        for (Object[] h : mine) {
                            if (now - (Long) h[2] < hold) {
                                perKey.merge((Integer) h[0], (Long) h[1], Long::sum);
                            }
                        }
                    }
                    for (Map.Entry<Integer, Long> e : perKey.entrySet()) {
                        assertTrue(e.getValue() <= s.permits, "key " + e.getKey() + " holds " + e.getValue()
                                + " permits in leases younger than " + hold + "ns at t=" + now + ", N=" + s.permits);
                    }
                }
            }
        });
    }

    @Test
    void quotaAndCardinalityHoldUnderRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules(3)).checkAssert(s -> {
            ManualClock clock = new ManualClock();
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                    .limit(Limit.quota("q", s.permits).build(), 16)
                    .limit(Limit.cardinality("card", s.permits).build(), 256).build()) {
                RateLimiter q = engine.rateLimiter("q");
                CardinalityLimiter card = engine.cardinalityLimiter("card");
                long[] granted = new long[KEYS];
                long[] smallestDenied = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
                Set<String> admitted = Collections.synchronizedSet(new HashSet<>());
                Set<Integer> parentsDenied = Collections.synchronizedSet(new HashSet<>());
                for (int phase = 0; phase < s.steps.size(); phase++) {
                    List<Integer> asks = s.asks.get(phase);
                    List<long[]> results = race(t -> () -> {
                        long[] mine = new long[2 * KEYS];
                        for (int i = 0; i < KEYS; i++) {
                            mine[KEYS + i] = Long.MAX_VALUE;
                        }
                        for (int i = t; i < asks.size(); i += THREADS) {
                            int key = key(asks.get(i));
                            long p = permits(asks.get(i), s.permits);
                            if (q.tryAcquire(key, p, 0)) {
                                mine[key] += p;
                            } else {
                                mine[KEYS + key] = Math.min(mine[KEYS + key], p);
                            }
                            long member = (asks.get(i) >> 4) % 24;
                            if (card.tryAdmit(key, member, 0, null)) {
                                admitted.add(key + "/" + member);
                            } else {
                                parentsDenied.add(key);
                            }
                        }
                        return mine;
                    });
                    for (long[] r : results) {
                        for (int i = 0; i < KEYS; i++) {
                            granted[i] += r[i];
                            smallestDenied[i] = Math.min(smallestDenied[i], r[KEYS + i]);
                        }
                    }
                }
                for (int key = 0; key < KEYS; key++) {
                    final int k = key;
                    assertTrue(granted[key] <= s.permits, "quota key " + key + " granted " + granted[key]);
                    assertTrue(smallestDenied[key] == Long.MAX_VALUE || granted[key] + smallestDenied[key] > s.permits,
                            "quota key " + key + " denied " + smallestDenied[key] + " with only " + granted[key] + " used");
                    long members = admitted.stream().filter(m -> m.startsWith(k + "/")).count();
                    assertTrue(members <= s.permits, "parent " + key + " admitted " + members + " members");
                    if (parentsDenied.contains(key)) {
                        assertEquals(s.permits, members, "parent " + key + " denied a member below N");
                    }
                }
            }
        });
    }
}
