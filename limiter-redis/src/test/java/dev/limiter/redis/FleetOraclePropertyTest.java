package dev.limiter.redis;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Three instances in one JVM share one real Redis, each a {@link FleetLimiter} on its own
 * connection, two threads each asking for permits of one hot key at once; the merged trace of grants
 * must keep the algorithm's guarantee, judged by a brute-force oracle that knows only that guarantee:
 * fixed window, granted &le; N in every aligned window; sliding window, &le; N in every window of
 * length T whatever its start; token bucket, granted &le; burst + (b - a)/I in every interval [a, b].
 * With and without leasing, for every batch size from 1 to 8.
 *
 * <p>Time is a shared {@link ManualClock} in caller-time mode: the threads meet at a barrier after
 * each step and the barrier moves the clock, so every decision's time is known exactly and the
 * trace is deterministic in time (the interleaving within a step is not).
 */
@ExtendWith(RedisServerExtension.class)
class FleetOraclePropertyTest {
    static final int EXAMPLES = Math.max(10, Integer.getInteger("limiter.property.examples", 1000) / 10);
    private static final int INSTANCES = 3;
    private static final int THREADS_PER_INSTANCE = 2;
    private static final long SECOND = 1_000_000_000L;
    private static final AtomicLong RUNS = new AtomicLong();

    private static final List<StatefulRedisConnection<String, String>> CONNECTIONS = new ArrayList<>();

    @BeforeAll
    static void connect(RedisClient client) {
        for (int i = 0; i < INSTANCES; i++) {
            CONNECTIONS.add(client.connect());
        }
    }

    /** After the clock moved by dt, each thread of instance i asks {@code asks.get(i)} times for `permits`. */
    record Step(long dt, List<Integer> asks, int permits) {
        @Override
        public String toString() {
            return "+" + dt + "ns " + asks + "x p" + permits;
        }
    }

    /** A limit, leased with maxBatch or not (maxBatch 0), and the steps from a start time. */
    record Case(Limit limit, int maxBatch, long start, List<Step> steps) {
        @Override
        public String toString() {
            return limit.algorithm() + " " + limit.permits() + "/" + limit.periodNanos() + "ns"
                    + (limit.algorithm() == Algorithm.SLIDING_WINDOW ? " k=" + limit.subWindows() : "")
                    + (limit.algorithm() == Algorithm.TOKEN_BUCKET ? " burst=" + limit.burst() : "")
                    + (maxBatch == 0 ? " direct" : " leased<=" + maxBatch) + " from " + start + " " + steps;
        }
    }

    /** One grant of the merged trace. */
    record Grant(long time, long permits) {
    }

    @Test
    void threeInstancesNeverGrantMoreThanTheLimit() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            List<Grant> trace = run(c);
            String violation = oracle(c.limit(), trace);
            if (violation != null) {
                fail(violation + " in " + trace.size() + " grants");
            }
        });
    }

    private static Gen<Case> cases() {
        Gen<Limit> limits = integers().between(0, 2).zip(integers().between(1, 12), integers().between(2, 5),
                integers().between(1, 12), (a, n, k, burst) -> {
                    switch (a) {
                        case 0:
                            return Limit.fixedWindow("fw", n, Duration.ofSeconds(1)).build();
                        case 1:
                            return Limit.slidingWindow("sw", n, Duration.ofSeconds(1)).subWindows(k).build();
                        default:
                            return Limit.tokenBucket("tb", n, Duration.ofSeconds(1)).burst(burst).build();
                    }
                });
        Gen<Integer> batches = booleans().all().zip(integers().between(1, 8), (leased, b) -> leased ? b : 0);
        // per-instance demand, so that one instance can sit on a batch while time passes and others ask
        Gen<Step> steps = longs().between(0, SECOND * 3 / 2).zip(lists().of(integers().between(0, 4)).ofSize(INSTANCES),
                integers().between(1, 3), Step::new);
        return limits.zip(batches, longs().between(-5 * SECOND, 5 * SECOND), lists().of(steps).ofSizeBetween(1, 20), Case::new);
    }

    /** Runs the case on three instances, two threads each; returns every grant with its time. */
    private static List<Grant> run(Case c) {
        ManualClock clock = new ManualClock(c.start());
        String prefix = "oracle" + RUNS.incrementAndGet() + ":";
        List<FleetLimiter> fleet = new ArrayList<>();
        List<RedisLimiter> limiters = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            RedisLimiter redis = RedisLimiter.builder().connection(CONNECTIONS.get(i)).keyPrefix(prefix).clock(clock)
                    .timeout(RedisLimiterTest.PATIENT).limit(c.limit(), TimeMode.CALLER).build();
            limiters.add(redis);
            FleetLimiter.Builder b = FleetLimiter.builder(redis);
            if (c.maxBatch() > 0) {
                b.lease(c.limit().name(), c.maxBatch());
            }
            fleet.add(b.build());
        }
        ConcurrentLinkedQueue<Grant> grants = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        // each step begins when every thread has arrived; the barrier then moves the clock by its dt
        CyclicBarrier barrier = new CyclicBarrier(INSTANCES * THREADS_PER_INSTANCE,
                () -> clock.advance(c.steps().get(next.getAndIncrement()).dt()));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < INSTANCES * THREADS_PER_INSTANCE; i++) {
            int index = i % INSTANCES;
            FleetLimiter instance = fleet.get(index);
            threads.add(new Thread(() -> {
                try {
                    for (int s = 0; s < c.steps().size(); s++) {
                        barrier.await();
                        Step st = c.steps().get(s);
                        for (int a = 0; a < st.asks().get(index); a++) {
                            long now = clock.nanoTime();
                            if (instance.tryAcquire(c.limit().name(), "hot", st.permits())) {
                                grants.add(new Grant(now, st.permits()));
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    barrier.reset();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fleet.forEach(FleetLimiter::close);
        limiters.forEach(RedisLimiter::close);
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        return new ArrayList<>(grants);
    }

    /** @return the first violation of the limit's guarantee in the trace, or null */
    static String oracle(Limit limit, List<Grant> trace) {
        TreeMap<Long, Long> byTime = new TreeMap<>();
        trace.forEach(g -> byTime.merge(g.time(), g.permits(), Long::sum));
        long n = limit.permits();
        long period = limit.periodNanos();
        switch (limit.algorithm()) {
            case FIXED_WINDOW: {
                TreeMap<Long, Long> windows = new TreeMap<>();
                byTime.forEach((t, p) -> windows.merge(Math.floorDiv(t, period), p, Long::sum));
                for (Map.Entry<Long, Long> w : windows.entrySet()) {
                    if (w.getValue() > n) {
                        return w.getValue() + " granted in window " + w.getKey() + " (N = " + n + ")";
                    }
                }
                return null;
            }
            case SLIDING_WINDOW: {
                for (long a : byTime.keySet()) {
                    long sum = byTime.subMap(a, true, a + period, false).values().stream().mapToLong(Long::longValue).sum();
                    if (sum > n) {
                        return sum + " granted in [" + a + ", " + (a + period) + ") (N = " + n + ")";
                    }
                }
                return null;
            }
            case TOKEN_BUCKET: {
                long interval = (period + n - 1) / n;
                long tau = limit.burst() * interval;
                List<Long> times = new ArrayList<>(byTime.keySet());
                for (int i = 0; i < times.size(); i++) {
                    long sum = 0;
                    for (int j = i; j < times.size(); j++) {
                        sum += byTime.get(times.get(j));
                        long span = times.get(j) - times.get(i);
                        if (sum * interval > tau + span) {
                            return sum + " granted in [" + times.get(i) + ", " + times.get(j) + "] (burst " + limit.burst()
                                    + " + " + span + "ns / I " + interval + ")";
                        }
                    }
                }
                return null;
            }
            default:
                throw new IllegalArgumentException(limit.toString());
        }
    }

    @Test
    void theOracleSeesAnOverAdmission() {
        Limit fw = Limit.fixedWindow("fw", 2, Duration.ofSeconds(1)).build();
        assertTrue(oracle(fw, List.of(new Grant(0, 1), new Grant(SECOND - 1, 2))) != null);
        assertTrue(oracle(fw, List.of(new Grant(0, 2), new Grant(SECOND, 2))) == null);
        Limit sw = Limit.slidingWindow("sw", 2, Duration.ofSeconds(1)).build();
        assertTrue(oracle(sw, List.of(new Grant(0, 2), new Grant(SECOND / 2, 1))) != null);
        assertTrue(oracle(sw, List.of(new Grant(0, 2), new Grant(SECOND, 2))) == null);
        Limit tb = Limit.tokenBucket("tb", 2, Duration.ofSeconds(1)).build();
        assertTrue(oracle(tb, List.of(new Grant(0, 2), new Grant(SECOND / 2 - 1, 1))) != null);
        assertTrue(oracle(tb, List.of(new Grant(0, 2), new Grant(SECOND / 2, 1))) == null);
    }
}
