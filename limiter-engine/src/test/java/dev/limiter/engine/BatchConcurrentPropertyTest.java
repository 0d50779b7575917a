package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.AdmissionOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;

/**
 * Batch callers race with each other, with single-key callers and with a sweeper that rotates the
 * table again and again, on a pool of keys larger than the table; the manual clock moves between
 * phases, so keys decay and are evicted between accesses. Batches repeat keys. Every grant is
 * recorded and the brute-force oracle of the algorithm's guarantee judges them per key: a batch
 * that decided on a stale slot, or twice on one ask, would over-admit.
 */
class BatchConcurrentPropertyTest {
    private static final int CALLERS = 3;
    private static final int KEYS = 10;
    static final int EXAMPLES = Math.max(25, Integer.getInteger("limiter.property.examples", 1000) / 10);
    private static RacingCallers callers;

    @BeforeAll
    static void startCallers() {
        callers = new RacingCallers(CALLERS + 1);
    }

    @AfterAll
    static void stopCallers() {
        callers.close();
    }


    /**
     * Caller t takes every CALLERS-th ask; callers 0 and 1 send theirs in batches of 1 to 12 keys
     * (a batch's length is its first ask's high bits), caller 2 one key at a time.
     */
    private static void check(BiFunction<Long, Long, Limit> limitOf, Oracle oracle) {
        qt().withExamples(EXAMPLES).forAll(PhasedSchedule.gen(6, 1 << 10, 150)).checkAssert(s -> {
            ManualClock clock = new ManualClock(-3 * s.period());
            Limit limit = limitOf.apply(s.permits(), s.period());
            List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY)
                    .limit(limit, 4).build()) {
                RateLimiter l = engine.rateLimiter(limit.name());
                for (int phase = 0; phase < s.steps().size(); phase++) {
                    long now = clock.advance(s.steps().get(phase));
                    List<Integer> asks = s.asks().get(phase);
                    AtomicInteger running = new AtomicInteger(CALLERS);
                    callers.race(t -> {
                        if (t == CALLERS) {
                            do {                                     // rotate for as long as callers run
                                engine.eviction().evictNow();
                            } while (running.get() > 0);
                            return;
                        }
                        try {
                            callerRuns(l, t, asks, s.permits(), now, grants);
                        } finally {
                            running.decrementAndGet();
                        }
                    });
                }
            }
            assertNull(oracle.violation(grants, s.permits(), s.period()));
        });
    }

    private static void callerRuns(RateLimiter l, int t, List<Integer> asks, long permits, long now,
                                   List<AdmissionOracle.Grant> grants) {
        List<Integer> mine = new ArrayList<>();
        for (int i = t; i < asks.size(); i += CALLERS) {
            mine.add(asks.get(i));
        }
        for (int i = 0; i < mine.size(); ) {
            int len = t == 2 ? 1 : Math.min(mine.size() - i, 1 + (mine.get(i) >> 6) % 12);
            long p = 1 + (mine.get(i) >> 4) % Math.min(permits, 3);
            long[] keys = new long[len];
            for (int j = 0; j < len; j++) {
                keys[j] = mine.get(i + j) % KEYS;
            }
            boolean[] granted = new boolean[len];
            int n;
            if (t == 2) {
                granted[0] = l.tryAcquire(keys[0], p, now);
                n = granted[0] ? 1 : 0;
            } else {
                n = l.tryAcquireBatch(keys, 0, len, p, now, granted);
            }
            int counted = 0;
            for (int j = 0; j < len; j++) {
                if (granted[j]) {
                    grants.add(new AdmissionOracle.Grant(keys[j], now, p));
                    counted++;
                }
            }
            assertEquals(n, counted, "the count disagrees with the answers");
            i += len;
        }
    }

    /** A guarantee sentence as a check over every recorded grant. */
    interface Oracle {
        String violation(List<AdmissionOracle.Grant> grants, long permits, long period);
    }


    @Test
    void tokenBucketNeverOverAdmitsUnderBatchCallers() {
        check((n, t) -> Limit.tokenBucket("l", n, Duration.ofNanos(t)).burst(Math.max(1, n / 2)).build(),
                (g, n, t) -> AdmissionOracle.tokenBucketViolation(g, n, t, Math.max(1, n / 2)));
    }

    @Test
    void fixedWindowNeverOverAdmitsUnderBatchCallers() {
        check((n, t) -> Limit.fixedWindow("l", n, Duration.ofNanos(t)).build(), AdmissionOracle::fixedWindowViolation);
    }

    @Test
    void slidingWindowNeverOverAdmitsUnderBatchCallers() {
        check((n, t) -> Limit.slidingWindow("l", n, Duration.ofNanos(t)).subWindows(3).build(),
                AdmissionOracle::slidingWindowViolation);
    }
}
