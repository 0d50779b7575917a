package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.AdmissionOracle;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Asynchronous acquire against independent oracles, on random traces of time steps, synchronous
 * acquires, asynchronous acquires and cancellations (ManualClock, {@link OffHeapEngine#runTimers()}
 * after every step), for a token bucket, a fixed and a sliding window, with 64-bit keys, string keys
 * and composites:
 * <ul>
 *   <li>the grants - synchronous ones at their time, asynchronous ones at their completion time -
 *       respect the limit's guarantee ({@link AdmissionOracle});</li>
 *   <li>no wait completes after its start + maxWait, none is told twice, a cancelled one is never
 *       told, and every wait is decided once time has passed all maxWaits (no timer left).</li>
 * </ul>
 */
class AsyncAcquirePropertyTest {
    private static final long PERIOD = Duration.ofMillis(100).toNanos();
    private static final long N = 5;

    /** dt in microseconds; kind 0 sync, 1 async, 2 cancel wait #pick; permits 1..3; maxWait in ms. */
    record Op(long dtMicros, int kind, int permits, int maxWaitMillis, int pick) {
        @Override
        public String toString() {
            return "+" + dtMicros + "us " + (kind == 0 ? "sync p" + permits : kind == 1
                    ? "async p" + permits + " wait " + maxWaitMillis + "ms" : "cancel#" + pick);
        }
    }

    final class Wait implements AcquireCallback {
        final long start;
        final long deadline;
        final long permits;
        final List<AdmissionOracle.Grant> grants;
        final List<AdmissionOracle.Grant> second;
        final ManualClock clock;
        Future<Decision> pending;
        boolean cancelled;
        int told;

        Wait(long start, long maxWait, long permits, List<AdmissionOracle.Grant> grants,
             List<AdmissionOracle.Grant> second, ManualClock clock) {
            this.start = start;
            this.deadline = start + maxWait;
            this.permits = permits;
            this.grants = grants;
            this.second = second;
            this.clock = clock;
        }

        @Override
        public void granted(Decision decision) {
            told++;
            long now = clock.nanoTime();
            if (now > deadline) {
                fail("wait from " + start + " granted at " + now + ", after its deadline " + deadline);
            }
            grants.add(new AdmissionOracle.Grant(7L, now, permits));
            if (second != null) {
                second.add(new AdmissionOracle.Grant(9L, now, 1));
            }
        }

        @Override
        public void refused(Decision decision) {
            told++;
        }
    }

    private static Gen<Op> ops() {
        Gen<Long> dt = integers().between(0, 2).flatMap(kind -> kind == 0
                ? integers().between(0, 150_000).map(Integer::longValue)
                : integers().between(0, 4_000).map(Integer::longValue));
        return dt.zip(integers().between(0, 2), integers().between(1, 3), integers().between(0, 300),
                (d, k, p, w) -> new Op(d, k, p, w, 0)).zip(integers().between(0, 1_000),
                (op, pick) -> new Op(op.dtMicros, op.kind, op.permits, op.maxWaitMillis, pick));
    }

    @Test
    void completedWaitsRespectTheGuaranteeAndNoneCompletesAfterMaxWait() {
        qt().withExamples(150).forAll(integers().between(0, 2), lists().of(ops()).ofSizeBetween(1, 80))
                .checkAssert((algorithm, trace) -> check(algorithm, trace, 0));
    }

    /** The same with string keys, mutated as soon as the call returns: a wait must keep its own copy. */
    @Test
    void stringKeyWaitsRespectTheGuaranteeOnTheKeyAsItWasWhenCalled() {
        qt().withExamples(100).forAll(integers().between(0, 2), lists().of(ops()).ofSizeBetween(1, 80))
                .checkAssert((algorithm, trace) -> check(algorithm, trace, 1));
    }

    /**
     * Composite waits of the limit under test and a second limit (a fixed window of 7 per 70 ms on
     * another key): every completed composite counts in both, and both guarantees hold on
     * completion times; synchronous acquires take from the first only.
     */
    @Test
    void compositeWaitsAreAllOrNothingAndRespectEveryGuarantee() {
        qt().withExamples(150).forAll(integers().between(0, 2), lists().of(ops()).ofSizeBetween(1, 80))
                .checkAssert((algorithm, trace) -> check(algorithm, trace, 2));
    }

    private static final long N2 = 7;
    private static final long PERIOD2 = Duration.ofMillis(70).toNanos();

    /** @param form 0: 64-bit key, 1: string key, 2: composite with a second limit */
    private void check(int algorithm, List<Op> trace, int form) {
        Limit limit = algorithm == 0 ? Limit.tokenBucket("l", N, Duration.ofNanos(PERIOD)).build()
                : algorithm == 1 ? Limit.fixedWindow("l", N, Duration.ofNanos(PERIOD)).build()
                : Limit.slidingWindow("l", N, Duration.ofNanos(PERIOD)).subWindows(4).build();
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock).limit(limit, 4)
                .limit(Limit.fixedWindow("m", N2, Duration.ofNanos(PERIOD2)).build(), 4).build()) {
            RateLimiter l = e.rateLimiter("l");
            RateLimiter m = e.rateLimiter("m");
            List<AdmissionOracle.Grant> grants = new ArrayList<>();
            List<AdmissionOracle.Grant> second = form == 2 ? new ArrayList<>() : null;
            StringBuilder key = new StringBuilder();
            List<Wait> waits = new ArrayList<>();
            for (Op op : trace) {
                long now = clock.advance(op.dtMicros * 1_000);
                e.runTimers();
                if (op.kind == 0) {
                    if (form == 1 ? l.tryAcquire("7", op.permits, now, null) : l.tryAcquire(7L, op.permits, now, null)) {
                        grants.add(new AdmissionOracle.Grant(7L, now, op.permits));
                    }
                } else if (op.kind == 1) {
                    Wait w = new Wait(now, op.maxWaitMillis * 1_000_000L, op.permits, grants, second, clock);
                    waits.add(w);
                    long maxWait = op.maxWaitMillis * 1_000_000L;
                    if (form == 0) {
                        w.pending = e.async().acquire(l, 7L, op.permits, maxWait, w);
                    } else if (form == 1) {
                        key.setLength(0);
                        w.pending = e.async().acquire(l, key.append('7'), op.permits, maxWait, w);
                        key.setLength(0);
                        key.append("other");                 // a wait that read the caller's key would miss
                    } else {
                        w.pending = e.async().acquireAll(new Checks().add(l, 7L, op.permits).add(m, 9L, 1), maxWait, w);
                    }
                } else if (!waits.isEmpty()) {
                    Wait w = waits.get(op.pick % waits.size());
                    if (w.pending != null && w.told == 0 && w.pending.cancel(false)) {
                        w.cancelled = true;
                    }
                }
            }
            clock.advance(Duration.ofSeconds(1));
            e.runTimers();
            for (Wait w : waits) {
                if (w.told != (w.cancelled ? 0 : 1)) {
                    fail("wait from " + w.start + (w.cancelled ? " (cancelled)" : "") + " was told " + w.told + " times");
                }
            }
            assertEquals(0, e.pendingTimers());
            String violation = algorithm == 0 ? AdmissionOracle.tokenBucketViolation(grants, N, PERIOD, N)
                    : algorithm == 1 ? AdmissionOracle.fixedWindowViolation(grants, N, PERIOD)
                    : AdmissionOracle.slidingWindowViolation(grants, N, PERIOD);
            assertNull(violation);
            if (form == 2) {
                assertNull(AdmissionOracle.fixedWindowViolation(second, N2, PERIOD2));
            } else {
                assertTrue(m.tryAcquire(9L, N2, clock.nanoTime(), null), "a single-key wait took from another limit");
            }
        }
    }
}
