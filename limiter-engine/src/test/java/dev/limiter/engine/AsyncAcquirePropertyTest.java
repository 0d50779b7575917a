package dev.limiter.engine;

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
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Asynchronous acquire against independent oracles, on random traces of time steps, synchronous
 * acquires, asynchronous acquires and cancellations (ManualClock, {@link OffHeapEngine#runTimers()}
 * after every step), for a token bucket, a fixed and a sliding window:
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
    static final class Op {
        final long dtMicros;
        final int kind;
        final int permits;
        final int maxWaitMillis;
        final int pick;

        Op(long dtMicros, int kind, int permits, int maxWaitMillis, int pick) {
            this.dtMicros = dtMicros;
            this.kind = kind;
            this.permits = permits;
            this.maxWaitMillis = maxWaitMillis;
            this.pick = pick;
        }

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
        final ManualClock clock;
        Future<Decision> pending;
        boolean cancelled;
        int told;

        Wait(long start, long maxWait, long permits, List<AdmissionOracle.Grant> grants, ManualClock clock) {
            this.start = start;
            this.deadline = start + maxWait;
            this.permits = permits;
            this.grants = grants;
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
                .checkAssert(this::check);
    }

    private void check(int algorithm, List<Op> trace) {
        Limit limit = algorithm == 0 ? Limit.tokenBucket("l", N, Duration.ofNanos(PERIOD)).build()
                : algorithm == 1 ? Limit.fixedWindow("l", N, Duration.ofNanos(PERIOD)).build()
                : Limit.slidingWindow("l", N, Duration.ofNanos(PERIOD)).subWindows(4).build();
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock).limit(limit, 4).build()) {
            RateLimiter l = e.rateLimiter("l");
            List<AdmissionOracle.Grant> grants = new ArrayList<>();
            List<Wait> waits = new ArrayList<>();
            for (Op op : trace) {
                long now = clock.advance(op.dtMicros * 1_000);
                e.runTimers();
                if (op.kind == 0) {
                    if (l.tryAcquire(7L, op.permits, now, null)) {
                        grants.add(new AdmissionOracle.Grant(7L, now, op.permits));
                    }
                } else if (op.kind == 1) {
                    Wait w = new Wait(now, op.maxWaitMillis * 1_000_000L, op.permits, grants, clock);
                    waits.add(w);
                    w.pending = e.async().acquire(l, 7L, op.permits, op.maxWaitMillis * 1_000_000L, w);
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
        }
    }
}
