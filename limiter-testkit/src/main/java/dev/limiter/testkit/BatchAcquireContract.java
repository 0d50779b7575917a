package dev.limiter.testkit;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/*
 * The batch acquire's contract, for every engine: a batch decides its keys as single acquires in key
 * order would (checked against a second engine of the same kind fed the same asks one at a time, so
 * an engine's own figures - capacity, rounding - cancel out and only the batch path is judged),
 * writes each answer at its key's index and nowhere else, returns the count, refuses bad arguments
 * before deciding anything, and never over-admits under concurrent batch callers.
 */
/**
 * The guarantees of {@link RateLimiter#tryAcquireBatch(long[], int, int, long, long, boolean[])} as
 * abstract JUnit 5 tests; {@link LimiterEngineContract} extends it, so every engine runs them.
 */
public abstract class BatchAcquireContract {
    private static final int EXAMPLES = Math.max(20, Integer.getInteger("limiter.property.examples", 1000) / 5);
    private static final int KEYS = 4;

    /** For subclasses. */
    protected BatchAcquireContract() {
    }

    /**
     * @return a new engine reading {@code clock}, holding {@code limits} with room for a few hundred
     *     keys each
     */
    protected abstract LimiterEngine engine(Clock clock, List<Limit> limits);

    /** One batch of a trace: time moves by {@code dt}, then {@code permits} are asked for each key, in order. */
    static final class Batch {
        final long dt;
        final long permits;
        final long[] keys;

        Batch(long dt, long permits, List<Integer> keys) {
            this.dt = dt;
            this.permits = permits;
            this.keys = keys.stream().mapToLong(Integer::longValue).toArray();
        }

        @Override
        public String toString() {
            return "+" + dt + "ns p" + permits + " " + Arrays.toString(keys);
        }
    }

    private static Gen<List<Batch>> batches(long t) {
        Gen<Batch> batch = longs().between(0, 0).mix(longs().between(0, t / 2), 70)
                .zip(longs().between(1, 3), lists().of(integers().between(0, KEYS - 1)).ofSizeBetween(0, 20),
                        Batch::new);
        return lists().of(batch).ofSizeBetween(1, 12);
    }

    /** @return the limit of kind {@code kind}: token bucket, fixed window, sliding window or quota */
    private static Limit limit(int kind, long n, long t) {
        Duration period = Duration.ofNanos(t);
        switch (kind) {
            case 0:
                return Limit.tokenBucket("l", n, period).burst(Math.max(1, n / 2)).build();
            case 1:
                return Limit.fixedWindow("l", n, period).build();
            case 2:
                return Limit.slidingWindow("l", n, period).subWindows(3).build();
            default:
                return Limit.quota("l", 3 * n).build();
        }
    }

    /** A limit and a trace of batches. */
    static final class Case {
        final Limit limit;
        final List<Batch> trace;

        Case(Limit limit, List<Batch> trace) {
            this.limit = limit;
            this.trace = trace;
        }

        @Override
        public String toString() {
            return limit + " " + trace;
        }
    }

    private static Gen<Case> cases() {
        return integers().between(0, 3).zip(longs().between(1, 8), longs().between(10, 1_000),
                        (kind, n, t) -> limit(kind, n, t))
                .flatMap(l -> batches(Math.max(10, l.periodNanos())).map(trace -> new Case(l, trace)));
    }

    @Test
    public void aBatchDecidesItsKeysAsSingleAcquiresInKeyOrderWould() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            ManualClock clock = new ManualClock(0);
            try (LimiterEngine batched = engine(clock, List.of(c.limit));
                 LimiterEngine single = engine(clock, List.of(c.limit))) {
                RateLimiter b = batched.rateLimiter("l");
                RateLimiter s = single.rateLimiter("l");
                for (Batch batch : c.trace) {
                    long now = clock.advance(batch.dt);
                    int len = batch.keys.length;
                    long[] keys = new long[len + 2];                     // the batch sits at [1, len + 1)
                    System.arraycopy(batch.keys, 0, keys, 1, len);
                    keys[0] = 99;
                    keys[len + 1] = 98;
                    boolean[] granted = new boolean[len + 2];
                    Arrays.fill(granted, true);                          // every answer must be written
                    boolean[] expected = new boolean[len + 2];
                    expected[0] = true;
                    expected[len + 1] = true;
                    int count = 0;
                    for (int i = 1; i <= len; i++) {
                        expected[i] = s.tryAcquire(keys[i], batch.permits, now);
                        count += expected[i] ? 1 : 0;
                    }
                    int got = b.tryAcquireBatch(keys, 1, len + 1, batch.permits, now, granted);
                    String at = "at " + batch + " of " + c;
                    assertArrayEquals(expected, granted, at);
                    assertEquals(count, got, at);
                }
            }
        });
    }

    @Test
    public void aBatchWithBadArgumentsDecidesNothing() {
        try (LimiterEngine e = engine(new ManualClock(0), List.of(Limit.quota("q", 1).build()))) {
            RateLimiter q = e.rateLimiter("q");
            long[] keys = {7, 7, 7};
            boolean[] granted = new boolean[3];
            assertThrows(IllegalArgumentException.class, () -> q.tryAcquireBatch(keys, 0, 3, 0, 0, granted));
            assertThrows(IndexOutOfBoundsException.class, () -> q.tryAcquireBatch(keys, 2, 1, 1, 0, granted));
            assertThrows(IndexOutOfBoundsException.class, () -> q.tryAcquireBatch(keys, -1, 2, 1, 0, granted));
            assertThrows(IndexOutOfBoundsException.class, () -> q.tryAcquireBatch(keys, 0, 4, 1, 0, new boolean[4]));
            assertThrows(IndexOutOfBoundsException.class, () -> q.tryAcquireBatch(keys, 0, 3, 1, 0, new boolean[2]));
            assertThrows(NullPointerException.class, () -> q.tryAcquireBatch(null, 0, 0, 1, 0, granted));
            assertThrows(NullPointerException.class, () -> q.tryAcquireBatch(keys, 0, 3, 1, 0, null));
            assertArrayEquals(new boolean[3], granted, "a refused batch wrote an answer");
            assertEquals(0, q.tryAcquireBatch(keys, 1, 1, 1, 0, granted), "an empty batch grants nothing");
            assertEquals(1, q.tryAcquireBatch(keys, 0, 3, 1, 0, granted), "a refused batch consumed a permit");
            assertArrayEquals(new boolean[] {true, false, false}, granted);
            assertEquals(0, q.tryAcquireBatch(new long[] {8, 8}, 0, 2, 2, 0, new boolean[2]),
                    "more permits than the limit holds are refused for every key");
        }
    }

    @Test
    public void concurrentBatchCallersGetExactlyNFromOneWindow() throws Exception {
        for (Limit limit : windowsOf500()) {
            try (LimiterEngine e = engine(new ManualClock(0), List.of(limit))) {
                RateLimiter l = e.rateLimiter(limit.name());
                AtomicLong granted = new AtomicLong();
                startTogether(4, c -> {
                    long own = 100 + c;
                    long[] keys = new long[16];
                    boolean[] answers = new boolean[16];
                    for (int i = 0; i < 25; i++) {
                        Arrays.fill(keys, 1L);                       // the shared key, twice per batch at least
                        keys[i % 16] = own;                         // and one key of this caller's own
                        int n = l.tryAcquireBatch(keys, 0, 16, 1, i, answers);
                        int own1 = answers[i % 16] ? 1 : 0;
                        granted.addAndGet(n - own1);
                    }
                });
                assertEquals(500, granted.get(), limit.name() + ": 1,500 batched asks in one window of N = 500");
                assertFalse(l.tryAcquire(1L, 1, 0), limit.name() + ": the shared key is spent");
                assertTrue(l.tryAcquire(100L, 1, 0), limit.name() + ": a caller's own key took 25 of 500");
            }
        }
    }

    /** @return a fixed window, a sliding window and a quota, each of N = 500 (per second for the windows) */
    static List<Limit> windowsOf500() {
        return List.of(Limit.fixedWindow("fw", 500, Duration.ofSeconds(1)).build(),
                Limit.slidingWindow("sw", 500, Duration.ofSeconds(1)).build(),
                Limit.quota("q", 500).build());
    }

    /** Starts {@code callers} threads on one signal, each running {@code work(its index)}, and waits for all. */
    static void startTogether(int callers, IntConsumer work) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int self = c;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                work.accept(self);
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }
}
