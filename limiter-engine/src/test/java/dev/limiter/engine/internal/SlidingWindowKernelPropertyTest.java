package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Decision;
import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The strict sliding window's guarantee - in every window of length T, whatever its start, granted
 * &le; N - checked on generated traces by a brute-force oracle over every window, and every decision
 * compared with an independent model of the admission rule (a map from sub-window to count).
 */
class SlidingWindowKernelPropertyTest {
    static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final int KEYS = 2;

    /** A generated case, printed readably when shrunk. */
    static final class Case {
        final long permits;
        final long period;
        final int k;
        final long start;
        final List<Traces.Step> steps;

        Case(long permits, long period, int k, long start, List<Traces.Step> steps) {
            this.permits = permits;
            this.period = period;
            this.k = k;
            this.start = start;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return "N=" + permits + " per T=" + period + "ns, k=" + k + ", start " + start + ", steps " + steps;
        }
    }

    static Gen<long[]> specs() {
        Gen<Long> n = longs().between(1, 12)
                .mix(longs().between(1, 100_000), 25)
                .mix(longs().between(1, 1L << 40), 10);
        Gen<Integer> k = integers().between(1, 12).mix(integers().between(1, Limit.MAX_SUB_WINDOWS), 10);
        Gen<Long> t = longs().between(1, 1_000)
                .mix(longs().between(1_000, 10_000_000_000L), 40)
                .mix(longs().between(1L << 60, Long.MAX_VALUE), 5);
        return n.zip(k, t, (permits, subWindows, period) ->
                new long[] {permits, Math.min(subWindows, Math.max(1, period)), Math.max(period, subWindows)});
    }

    static Gen<Long> starts() {
        return longs().between(-1_000, 1_000)
                .mix(longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 1_000_000), 10)
                .mix(longs().between(Long.MAX_VALUE - (1L << 44), Long.MAX_VALUE), 10)
                .mix(longs().all(), 15);
    }

    static Gen<Case> cases() {
        return specs().flatMap(s -> {
            long n = s[0];
            int k = (int) s[1];
            long t = s[2];
            long w = TimeMath.ceilDiv(t, k);
            // big jumps, kept well inside the kernel's documented horizon even when summed over a trace
            int countBits = Math.min(32, 64 - Long.numberOfLeadingZeros(n + 1));
            long jump = Math.min(1L << 40, TimeMath.multiplySaturated(1L << (62 - countBits - 10), w));
            Gen<Long> dts = longs().between(0, 0)
                    .mix(longs().between(0, Math.max(1, w)), 45)
                    .mix(longs().between(0, Math.max(1, Math.min(2 * t, jump))), 25)
                    .mix(longs().between(0, jump), 5);
            Gen<Long> asks = longs().between(1, Math.min(n, 3))
                    .mix(longs().between(1, n), 30)
                    .mix(longs().between(n, n + 1), 5);
            Gen<Traces.Step> step = dts.zip(booleans().all().mix(booleans().all().map(b -> false), 90),
                    integers().between(0, KEYS - 1), asks, Traces.Step::new);
            return starts().zip(lists().of(step).ofSizeBetween(1, 150), (start, steps) -> new Case(n, t, k, start, steps));
        });
    }

    @Test
    void everyWindowHoldsAtMostNAndDecisionsMatchTheModel() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(SlidingWindowKernelPropertyTest::check);
    }

    static void check(Case c) {
        Limit limit = Limit.slidingWindow("sw", c.permits, Duration.ofNanos(c.period)).subWindows(c.k).build();
        SlidingWindowKernel kernel = new SlidingWindowKernel(limit);
        int stride = 8 * kernel.stateWords();
        UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(stride * KEYS));
        long w = kernel.widthNanos();
        long horizon = kernel.horizonNanos() / w;                  // sub-windows the tags tell apart
        boolean exactUnits = kernel.maxPermits() == c.permits;     // counted in single permits
        Model[] models = {new Model(c.permits, c.k, horizon), new Model(c.permits, c.k, horizon)};
        long[] keyTime = {Long.MIN_VALUE, Long.MIN_VALUE};
        boolean[] seen = new boolean[KEYS];
        List<AdmissionOracle.Grant> grants = new ArrayList<>();
        Decision d = new Decision();
        long now = c.start;
        for (Traces.Step s : c.steps) {
            now = s.back ? TimeMath.addSaturated(now, -s.dt) : TimeMath.addSaturated(now, s.dt);
            if (s.permits > kernel.maxPermits()) {
                continue;                        // unsatisfiable: refused before any kernel runs
            }
            int offset = stride * s.key;
            long peeked = Steps.peek(kernel, buffer, offset, s.permits, now, null);
            boolean granted = Steps.tryAcquire(kernel, buffer, offset, s.permits, now, d);
            assertEquals(peeked == 0, granted, () -> "peek and acquire disagree for " + s);
            assertEquals(granted, d.allowed());
            Model m = models[s.key];
            Boolean expected = m.admit(Math.floorDiv(now, w), s.permits);
            if (!exactUnits) {
                expected = null;                 // the kernel counts in units: only the guarantee applies
            }
            if (expected != null) {
                final long at = now;
                assertEquals(expected.booleanValue(), granted, () -> "model and kernel disagree at t=" + at + " for " + s);
            }
            if (granted) {
                // a caller behind the key acts at the key's latest time (per-key monotonic time)
                long t = seen[s.key] ? Math.max(now, keyTime[s.key]) : now;
                seen[s.key] = true;
                keyTime[s.key] = t;
                grants.add(new AdmissionOracle.Grant(s.key, t, s.permits));
                assertTrue(d.remaining() >= 0 && d.remaining() <= c.permits - s.permits, d::toString);
            } else {
                long retry = d.retryAfterNanos();
                assertTrue(retry > 0, d::toString);
                long later = now + retry;
                final Boolean modelSaid = expected;
                if (modelSaid != null && retry != Decision.NEVER && later > now) {
                    assertEquals(0, Steps.peek(kernel, buffer, offset, s.permits, later, null),
                            () -> "not admissible after its retry-after " + d);
                    if (retry > 1) {
                        assertNotEquals(0, Steps.peek(kernel, buffer, offset, s.permits, later - 1, null),
                                () -> "admissible before its retry-after " + d);
                    }
                }
            }
        }
        assertNull(AdmissionOracle.slidingWindowViolation(grants, c.permits, c.period));
    }

    /**
     * The admission rule on plain collections: admit p at sub-window u = max(j, latest) iff the
     * permits of sub-windows u-k .. u plus p are at most N. Compared only while the trace's
     * sub-windows stay within the kernel's tag horizon.
     */
    static final class Model {
        private final long permits;
        private final int k;
        private final long horizon;
        private final TreeMap<Long, Long> counts = new TreeMap<>();
        private boolean started;
        private long latest;
        private long lowest;
        private long highest;
        private boolean comparable = true;

        Model(long permits, int k, long horizon) {
            this.permits = permits;
            this.k = k;
            this.horizon = horizon;
        }

        Boolean admit(long j, long p) {
            if (!started) {
                lowest = j;
                highest = j;
            }
            lowest = Math.min(lowest, j);
            highest = Math.max(highest, j);
            if (highest - lowest < 0 || highest - lowest >= horizon || j - k > j) {
                comparable = false;
            }
            long u = started ? Math.max(j, latest) : j;
            long sum = 0;
            for (Map.Entry<Long, Long> e : counts.subMap(u - k, true, u, true).entrySet()) {
                sum += e.getValue();
            }
            boolean ok = sum + p <= permits;
            if (ok) {
                counts.merge(u, p, Long::sum);
                started = true;
                latest = u;
            }
            return comparable ? ok : null;
        }
    }
}
