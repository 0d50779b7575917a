package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;
import dev.limiter.ManualClock;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.AdmissionOracle;
import dev.limiter.engine.internal.table.KeyTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;

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
    /** The long value of key i: the narrow layout's two escape keys and the extremes among small ones. */
    private static final long[] KEY_VALUES = {0, KeyTable.FROZEN_PUBLISH, 1, 2, -1, Long.MIN_VALUE, Long.MAX_VALUE,
        3, 4, 5, 6, 7};
    static final int EXAMPLES = Math.max(25, Integer.getInteger("limiter.property.examples", 1000) / 10);
    private static RacingCallers callers;

    @BeforeAll
    static void startCallers() {
        callers = new RacingCallers(ACQUIRERS + 1);
    }

    @AfterAll
    static void stopCallers() {
        callers.close();
    }


    private static void check(BiFunction<Long, Long, Limit> limitOf, Oracle oracle) {
        check(limitOf, oracle, false);
    }

    private static void check(BiFunction<Long, Long, Limit> limitOf, Oracle oracle, boolean longKeysOnly) {
        qt().withExamples(EXAMPLES).forAll(PhasedSchedule.gen(8, 1 << 12, 240)).checkAssert(s -> {
            ManualClock clock = new ManualClock(-3 * s.period());
            Limit limit = limitOf.apply(s.permits(), s.period());
            List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
            OffHeapEngine.Builder builder = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY);
            try (OffHeapEngine engine = (longKeysOnly ? builder.longKeysOnly() : builder).limit(limit, 8).build()) {
                RateLimiter l = engine.rateLimiter(limit.name());
                List<LimitHandle> handles = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    handles.add(l.handle(KEY_VALUES[k]));
                }
                for (int phase = 0; phase < s.steps().size(); phase++) {
                    long now = clock.advance(s.steps().get(phase));
                    List<Integer> asks = s.asks().get(phase);
                    AtomicInteger running = new AtomicInteger(ACQUIRERS);
                    callers.race(t -> {
                        if (t == ACQUIRERS) {
                            do {                                     // rotate for as long as acquirers run
                                engine.eviction().evictNow();
                            } while (running.get() > 0);
                            return;
                        }
                        for (int i = t; i < asks.size(); i += ACQUIRERS) {
                            int ask = asks.get(i);
                            int key = ask % KEYS;
                            long p = 1 + (ask / KEYS) % Math.min(s.permits(), 3);
                            boolean viaHandle = key < handles.size() && ((ask >> 10) & 1) == 1;
                            boolean ok = viaHandle ? handles.get(key).tryAcquire(p, now) : l.tryAcquire(KEY_VALUES[key], p, now);
                            if (ok) {
                                grants.add(new AdmissionOracle.Grant(key, now, p));
                            }
                        }
                        running.decrementAndGet();
                    });
                }
            }
            assertNull(oracle.violation(grants, s.permits(), s.period()));
        });
    }

    /** A guarantee sentence as a check over every recorded grant. */
    interface Oracle {
        String violation(List<AdmissionOracle.Grant> grants, long permits, long period);
    }


    @Test
    void tokenBucketNeverOverAdmitsWhileKeysAreEvicted() {
        check((n, t) -> Limit.tokenBucket("l", n, Duration.ofNanos(t)).burst(Math.max(1, n / 2)).build(),
                (g, n, t) -> AdmissionOracle.tokenBucketViolation(g, n, t, Math.max(1, n / 2)));
    }

    @Test
    void tokenBucketNeverOverAdmitsWhileLongKeysOnlyAreEvicted() {
        check((n, t) -> Limit.tokenBucket("l", n, Duration.ofNanos(t)).burst(Math.max(1, n / 2)).build(),
                (g, n, t) -> AdmissionOracle.tokenBucketViolation(g, n, t, Math.max(1, n / 2)), true);
    }

    @Test
    void slidingWindowNeverOverAdmitsWhileLongKeysOnlyAreEvicted() {
        check((n, t) -> Limit.slidingWindow("l", n, Duration.ofNanos(t)).subWindows(3).build(),
                AdmissionOracle::slidingWindowViolation, true);
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
