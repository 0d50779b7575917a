package dev.limiter.engine.internal.time;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.engine.OffHeapEngine;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The cached clock's contract (never ahead of the source, monotonic, at most staleAfter behind on a
 * sampled read) and what a stale reading does to admissions: with the engine reading the cached
 * clock, the grants judged on their <em>true</em> times keep each algorithm's guarantee over every
 * interval widened by the staleness bound S (a grant's reading lies in [t - S, t]). Without the
 * widening the guarantee does not hold on true time: {@link #strictTrueTimeGuaranteeFailsWithoutTheWidening}
 * shows the counterexample, which is why the bound matters.
 */
class CachedClockPropertyTest {
    private static final int EXAMPLES = TimingWheelPropertyTest.EXAMPLES;
    private static final long TICK = TickerBuilder.MIN_TICK_NANOS;

    /** One step: the true clock moves by dt, the ticker may run a cycle, then key k asks for p permits. */
    static final class Step {
        final long dt;
        final boolean tick;
        final int key;
        final long permits;

        Step(long dt, boolean tick, int key, long permits) {
            this.dt = dt;
            this.tick = tick;
            this.key = key;
            this.permits = permits;
        }

        @Override
        public String toString() {
            return "+" + dt + (tick ? " tick" : "") + " k" + key + " p" + permits;
        }
    }

    static final class Case {
        final int algorithm;
        final long permits;
        final long period;
        final long stale;
        final long start;
        final List<Step> steps;

        Case(int algorithm, long permits, long period, long stale, long start, List<Step> steps) {
            this.algorithm = algorithm;
            this.permits = permits;
            this.period = period;
            this.stale = stale;
            this.start = start;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return new String[] {"token bucket", "fixed window", "sliding window"}[algorithm] + " N=" + permits
                    + " per T=" + period + "ns, S=" + stale + "ns, start " + start + ", steps " + steps;
        }
    }

    static Gen<Case> cases() {
        Gen<Long> starts = longs().between(-1_000_000, 1_000_000)
                .mix(longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 1_000_000), 20)
                .mix(longs().between(Long.MAX_VALUE - 10_000_000_000L, Long.MAX_VALUE - 5_000_000_000L), 20);
        Gen<Step> step = longs().between(0, 20_000).zip(booleans().all(), integers().between(0, 1),
                longs().between(1, 3), Step::new);
        return integers().between(0, 2).zip(longs().between(1, 8), longs().between(1_000, 200_000),
                        longs().between(1, 100_000), (a, n, t, s) -> new long[] {a, n, t, s})
                .zip(starts, lists().of(step).ofSizeBetween(1, 120),
                        (f, start, steps) -> new Case((int) f[0], f[1], f[2], f[3], start, steps));
    }

    @Test
    void aSampledReadIsNeverAheadNeverBackwardsAndAtMostStaleAfterBehind() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            ManualClock source = new ManualClock(c.start);
            Ticker ticker = Ticker.builder("c", source).tickNanos(TICK).staleAfterNanos(c.stale).sampleEvery(1).build();
            CachedClock clock = ticker.cachedClock();
            long last = Long.MIN_VALUE;
            for (Step s : c.steps) {
                source.advance(s.dt);
                if (s.tick) {
                    ticker.runOnce();
                }
                long r = clock.nanoTime();
                long t = source.nanoTime();
                assertTrue(r <= t, () -> "ahead: " + r + " > " + t);
                long previous = last;
                assertTrue(r >= previous, () -> "backwards: " + r + " after " + previous);
                assertTrue(t - r <= c.stale, () -> "stale by " + (t - r) + " > " + c.stale);
                last = r;
            }
        });
    }

    @Test
    void staleReadingsKeepEveryGuaranteeOnTrueTimeWidenedByTheStalenessBound() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            List<long[]> grants = run(c); // {key, true time, reading, permits}
            assertNull(violation(c, grants, c.stale), () -> "grants " + describe(grants));
        });
    }

    @Test
    void strictTrueTimeGuaranteeFailsWithoutTheWidening() {
        // 1 permit per 10 us: key 0's first grant is read stale at true 5 us (reading 0), its second
        // fresh at true 10 us: two permits within 5 us of true time, while the bucket allows 1 + 0.5
        Case c = new Case(0, 1, 10_000, 5_000, 0, List.of(new Step(0, true, 1, 1), new Step(5_000, false, 0, 1),
                new Step(5_000, true, 0, 1)));
        List<long[]> grants = run(c);
        assertEquals(3, grants.size(), describe(grants));
        String strict = violation(c, grants, 0);
        assertNotNull(strict);
        assertNull(violation(c, grants, c.stale));
    }

    /** Runs a case on the engine reading the cached clock; returns every grant. */
    static List<long[]> run(Case c) {
        ManualClock source = new ManualClock(c.start);
        Ticker ticker = Ticker.builder("a", source).tickNanos(TICK).staleAfterNanos(c.stale).sampleEvery(1).build();
        CachedClock clock = ticker.cachedClock();
        List<long[]> grants = new ArrayList<>();
        try (EngineUnderTest engine = new EngineUnderTest(c.algorithm, c.permits, c.period, clock)) {
            for (Step s : c.steps) {
                source.advance(s.dt);
                if (s.tick) {
                    ticker.runOnce();
                }
                long reading = clock.nanoTime();
                if (engine.tryAcquire(s.key, s.permits, reading)) {
                    grants.add(new long[] {s.key, source.nanoTime(), reading, s.permits});
                }
            }
        }
        return grants;
    }

    /**
     * The independent oracle, over true times t and the bound S: for every key and every interval
     * [a, b] between two grants, the permits granted in it are at most, for a token bucket,
     * burst + (b - a + S) N / T; for a fixed window, N per aligned window meeting [a - S, b]; for a
     * sliding window, N per window of length T needed to cover the b - a + S + 1 nanoseconds.
     */
    static String violation(Case c, List<long[]> grants, long s) {
        BigInteger n = BigInteger.valueOf(c.permits);
        BigInteger t = BigInteger.valueOf(c.period);
        for (int key = 0; key < 2; key++) {
            List<long[]> g = new ArrayList<>();
            for (long[] x : grants) {
                if (x[0] == key) {
                    g.add(x);
                }
            }
            for (int i = 0; i < g.size(); i++) {
                long sum = 0;
                for (int j = i; j < g.size(); j++) {
                    sum += g.get(j)[3];
                    BigInteger a = BigInteger.valueOf(g.get(i)[1]);
                    BigInteger b = BigInteger.valueOf(g.get(j)[1]);
                    BigInteger widened = b.subtract(a).add(BigInteger.valueOf(s));
                    BigInteger allowed;
                    if (c.algorithm == 0) {
                        // burst = N here; compare sum * T <= N * T + widened * N
                        boolean ok = BigInteger.valueOf(sum).multiply(t).compareTo(n.multiply(t).add(widened.multiply(n))) <= 0;
                        allowed = ok ? BigInteger.valueOf(sum) : BigInteger.valueOf(sum - 1);
                    } else if (c.algorithm == 1) {
                        BigInteger windows = floorDiv(b, t).subtract(floorDiv(a.subtract(BigInteger.valueOf(s)), t)).add(BigInteger.ONE);
                        allowed = n.multiply(windows);
                    } else {
                        BigInteger points = widened.add(BigInteger.ONE);
                        allowed = n.multiply(points.add(t).subtract(BigInteger.ONE).divide(t));
                    }
                    if (BigInteger.valueOf(sum).compareTo(allowed) > 0) {
                        return sum + " permits on key " + key + " in true [" + a + ", " + b + "] with S=" + s
                                + "; allowed " + allowed;
                    }
                }
            }
        }
        return null;
    }

    private static BigInteger floorDiv(BigInteger x, BigInteger y) {
        BigInteger[] qr = x.divideAndRemainder(y);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    private static String describe(List<long[]> grants) {
        StringBuilder b = new StringBuilder();
        for (long[] g : grants) {
            b.append("{k").append(g[0]).append(" t=").append(g[1]).append(" read=").append(g[2]).append(" p=").append(g[3]).append("} ");
        }
        return b.toString();
    }

    /** The one place that calls the engine, so that the reshaped API changes only here. */
    static final class EngineUnderTest implements AutoCloseable {
        private final OffHeapEngine engine;
        private final RateLimiter limiter;
        private final Decision decision = new Decision();

        EngineUnderTest(int algorithm, long permits, long periodNanos, CachedClock clock) {
            Duration period = Duration.ofNanos(periodNanos);
            Limit limit = algorithm == 0 ? Limit.tokenBucket("s", permits, period).build()
                    : algorithm == 1 ? Limit.fixedWindow("s", permits, period).build()
                    : Limit.slidingWindow("s", permits, period).build();
            this.engine = OffHeapEngine.builder().clock(clock).limit(limit, 16).build();
            this.limiter = engine.rateLimiter("s");
        }

        boolean tryAcquire(long key, long permits, long nowNanos) {
            return limiter.tryAcquire(key, permits, nowNanos, decision);
        }

        @Override
        public void close() {
            engine.close();
        }
    }
}
