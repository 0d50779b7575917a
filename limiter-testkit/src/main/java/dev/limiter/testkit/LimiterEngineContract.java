package dev.limiter.testkit;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.LimitHandle;
import dev.limiter.LimiterEngine;
import dev.limiter.ManualClock;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/*
 * Each test states one guarantee from Algorithm's documentation, generates traces (QuickTheories:
 * shrinks to a short, readable counterexample), runs them through the engine under test, and checks
 * the grants against an oracle that knows only that sentence - never against another engine's
 * decisions, so a conservative engine and an exact one both pass, and an over-admitting one fails.
 * Time only moves forward here; staleness is each engine's own test's business.
 */
/**
 * The guarantees every {@link LimiterEngine} must keep, as abstract JUnit 5 tests: an engine's test
 * class extends this and builds its engine in {@link #engine}; the suite then runs every property
 * on it, single-threaded and with concurrent callers, and the batch acquire's ({@link BatchAcquireContract}).
 */
public abstract class LimiterEngineContract extends BatchAcquireContract {
    /** Generated traces per property: the house setting {@code limiter.property.examples}, a fifth of it. */
    protected static final int EXAMPLES = Math.max(20, Integer.getInteger("limiter.property.examples", 1000) / 5);
    private static final int KEYS = 3;

    /** For subclasses. */
    protected LimiterEngineContract() {
    }

    @Override
    protected abstract LimiterEngine engine(Clock clock, List<Limit> limits);

    /** One request of a trace: time moves by {@code dt}, then {@code permits} are asked for {@code key}. */
    static final class Step {
        final long dt;
        final int key;
        final long permits;

        Step(long dt, int key, long permits) {
            this.dt = dt;
            this.key = key;
            this.permits = permits;
        }

        @Override
        public String toString() {
            return "+" + dt + "ns k" + key + " p" + permits;
        }
    }

    private static Gen<List<Step>> steps(long most, long t) {
        Gen<Step> step = longs().between(0, 0).mix(longs().between(0, t / 3), 60).mix(longs().between(0, 3 * t), 10)
                .zip(integers().between(0, KEYS - 1), longs().between(1, Math.min(most, 3)).mix(longs().between(1, most), 25),
                        Step::new);
        return lists().of(step).ofSizeBetween(1, 60);
    }

    /** A limit's figures and a trace to run on it. */
    static final class Case {
        final long n;
        final long t;
        final long burst;
        final List<Step> trace;

        Case(long n, long t, long burst, List<Step> trace) {
            this.n = n;
            this.t = t;
            this.burst = burst;
            this.trace = trace;
        }

        @Override
        public String toString() {
            return "N=" + n + " T=" + t + "ns burst=" + burst + " " + trace;
        }
    }

    /** @return N in [1, nMax], T in [tMin, tMax], burst in [1, 30], and a trace asking up to N (or burst) */
    private static Gen<Case> cases(long nMax, long tMin, long tMax, boolean withBurst) {
        return longs().between(1, nMax).zip(longs().between(tMin, tMax), longs().between(1, 30),
                (n, t, b) -> new long[] {n, t, withBurst ? b : n})
                .flatMap(f -> steps(f[2], f[1]).map(trace -> new Case(f[0], f[1], f[2], trace)));
    }

    private static final class Grant {
        final int key;
        final long at;
        final long permits;

        Grant(int key, long at, long permits) {
            this.key = key;
            this.at = at;
            this.permits = permits;
        }
    }

    /** Runs a trace on one limit; checks the decision holder against the return value; returns the grants. */
    private List<Grant> run(Limit limit, List<Step> trace) {
        return run(limit, trace, 0);
    }

    /** As {@link #run(Limit, List)}, through a leased handle per key when {@code lease > 0}. */
    private List<Grant> run(Limit limit, List<Step> trace, long lease) {
        ManualClock clock = new ManualClock(0);
        List<Grant> grants = new ArrayList<>();
        try (LimiterEngine e = engine(clock, List.of(limit))) {
            RateLimiter l = e.rateLimiter(limit.name());
            Decision d = new Decision();
            Map<Integer, LimitHandle> leased = new HashMap<>();
            for (Step s : trace) {
                long now = clock.advance(s.dt);
                boolean granted = lease == 0 ? l.tryAcquire("key-" + s.key, s.permits, now, d)
                        : leased.computeIfAbsent(s.key, k -> l.leasedHandle(k, lease)).tryAcquire(s.permits, now, d);
                assertEquals(granted, d.allowed(), () -> "the decision disagrees with the answer at " + s + ": " + d);
                if (granted) {
                    grants.add(new Grant(s.key, now, s.permits));
                } else {
                    assertTrue(d.retryAfterNanos() > 0, d::toString);
                }
            }
        }
        return grants;
    }

    private static final List<Limit> ONE_OF_EACH = List.of(
            Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(),
            Limit.fixedWindow("fw", 10, Duration.ofSeconds(1)).build(),
            Limit.slidingWindow("sw", 10, Duration.ofSeconds(1)).build(),
            Limit.quota("q", 10).build(),
            Limit.concurrency("c", 10, Duration.ofSeconds(1)).build(),
            Limit.cardinality("card", 10).build());

    @Test
    public void eachLimitIsAnInstanceOfItsAlgorithmsTypeOnly() {
        try (LimiterEngine e = engine(new ManualClock(0), ONE_OF_EACH)) {
            for (String name : List.of("tb", "fw", "sw", "q")) {
                Limiter l = e.limiter(name);
                assertSame(l, e.rateLimiter(name), name);
                assertFalse(l instanceof ConcurrencyLimiter || l instanceof CardinalityLimiter, name);
                assertEquals(name.equals("q"), l instanceof QuotaLimiter, name);
            }
            assertSame(e.limiter("q"), e.quotaLimiter("q"));
            Limiter c = e.concurrencyLimiter("c");
            assertSame(e.limiter("c"), c);
            assertFalse(c instanceof RateLimiter || c instanceof CardinalityLimiter, "a concurrency limiter takes leases only");
            Limiter card = e.cardinalityLimiter("card");
            assertSame(e.limiter("card"), card);
            assertFalse(card instanceof RateLimiter || card instanceof ConcurrencyLimiter, "a cardinality limiter admits members only");
            assertEquals(ONE_OF_EACH.size(), e.limiters().size());
        }
    }

    @Test
    public void aLookupOfTheWrongKindNamesTheLimitsAlgorithm() {
        try (LimiterEngine e = engine(new ManualClock(0), ONE_OF_EACH)) {
            wrongKind(() -> e.rateLimiter("c"), "'c' is CONCURRENCY");
            wrongKind(() -> e.rateLimiter("card"), "'card' is CARDINALITY");
            for (String name : List.of("tb", "fw", "sw")) {
                wrongKind(() -> e.quotaLimiter(name), "'" + name + "' is " + e.limiter(name).limit().algorithm());
            }
            wrongKind(() -> e.quotaLimiter("c"), "'c' is CONCURRENCY");
            wrongKind(() -> e.concurrencyLimiter("q"), "'q' is QUOTA");
            wrongKind(() -> e.concurrencyLimiter("tb"), "'tb' is TOKEN_BUCKET");
            wrongKind(() -> e.cardinalityLimiter("sw"), "'sw' is SLIDING_WINDOW");
            wrongKind(() -> e.cardinalityLimiter("c"), "'c' is CONCURRENCY");
            wrongKind(() -> e.rateLimiter("nope"), "'nope'");
        }
    }

    private static void wrongKind(org.junit.jupiter.api.function.Executable lookup, String named) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, lookup);
        assertTrue(ex.getMessage().contains(named), () -> "expected \"" + named + "\" in: " + ex.getMessage());
    }

    @Test
    public void aCardinalityLimiterJoinsACompositeOnlyAsAMemberCheck() {
        try (LimiterEngine e = engine(new ManualClock(0), ONE_OF_EACH)) {
            Checks checks = new Checks().add(e.rateLimiter("q"), "k", 1);
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> checks.add(e.limiter("card"), "k", 1));
            assertTrue(ex.getMessage().contains("CARDINALITY"), ex.getMessage());
            assertEquals(1, checks.size(), "a refused check leaves the list unchanged");
            checks.addMember(e.cardinalityLimiter("card"), "k", "m");
            assertTrue(checks.hasMember(1) && !checks.hasMember(0));
        }
    }

    @Test
    public void fixedWindowGrantsAtMostNInEachAlignedWindow() {
        qt().withExamples(EXAMPLES).forAll(cases(20, 3, 1_000, false)).checkAssert(c -> {
            Map<String, Long> perWindow = new HashMap<>();
            for (Grant g : run(Limit.fixedWindow("fw", c.n, Duration.ofNanos(c.t)).build(), c.trace)) {
                String w = g.key + "@" + Math.floorDiv(g.at, c.t);
                long sum = perWindow.merge(w, g.permits, Long::sum);
                assertTrue(sum <= c.n, () -> sum + " granted in window " + w);
            }
        });
    }

    @Test
    public void slidingWindowGrantsAtMostNInEveryWindowWhateverItsStart() {
        qt().withExamples(EXAMPLES).forAll(cases(20, 10, 1_000, false)).checkAssert(c -> {
            List<Grant> grants = run(Limit.slidingWindow("sw", c.n, Duration.ofNanos(c.t)).subWindows(5).build(), c.trace);
            for (Grant start : grants) {                  // the heaviest windows start at a grant
                long sum = 0;
                for (Grant g : grants) {
                    if (g.key == start.key && g.at >= start.at && g.at - start.at < c.t) {
                        sum += g.permits;
                    }
                }
                long total = sum;
                assertTrue(total <= c.n, () -> total + " granted in [" + start.at + ", +T)");
            }
        });
    }

    @Test
    public void tokenBucketGrantsAtMostBurstPlusRateInEveryInterval() {
        qt().withExamples(EXAMPLES).forAll(cases(20, 1, 1_000, true)).checkAssert(c -> tokenBucketBound(c,
                run(Limit.tokenBucket("tb", c.n, Duration.ofNanos(c.t)).burst(c.burst).build(), c.trace)));
    }

    /** A leased handle (each key's own, leasing half the burst) keeps the token bucket's guarantee exactly. */
    @Test
    public void aLeasedHandleKeepsTheTokenBucketGuarantee() {
        qt().withExamples(EXAMPLES).forAll(cases(20, 1, 1_000, true)).checkAssert(c -> tokenBucketBound(c,
                run(Limit.tokenBucket("tb", c.n, Duration.ofNanos(c.t)).burst(c.burst).build(), c.trace,
                        Math.max(1, c.burst / 2))));
        try (LimiterEngine e = engine(new ManualClock(0), ONE_OF_EACH)) {
            assertThrows(IllegalArgumentException.class, () -> e.rateLimiter("tb").leasedHandle(1, 0));
        }
    }

    private static void tokenBucketBound(Case c, List<Grant> grants) {
        long interval = Math.max(1, (c.t + c.n - 1) / c.n);
        for (Grant a : grants) {
            long sum = 0;
            for (Grant b : grants) {
                if (b.key == a.key && b.at >= a.at) {
                    sum += b.permits;
                    long d = b.at - a.at;
                    long total = sum;
                    // granted * I <= d + burst * I over the interval [a.at, b.at]
                    assertTrue(total * interval <= d + c.burst * interval,
                            () -> total + " granted in " + d + "ns, I = " + interval);
                }
            }
        }
    }

    @Test
    public void quotaGrantsAtMostNInTotal() {
        qt().withExamples(EXAMPLES).forAll(cases(50, 100, 100, false)).checkAssert(c -> {
            long[] used = new long[KEYS];
            for (Grant g : run(Limit.quota("q", c.n).build(), c.trace)) {
                used[g.key] += g.permits;
                assertTrue(used[g.key] <= c.n, () -> "granted " + used[g.key]);
            }
        });
    }

    @Test
    public void cardinalityAdmitsAtMostNDistinctMembersAndAlwaysReadmitsOne() {
        qt().withExamples(EXAMPLES).forAll(longs().between(1, 8), lists().of(integers().between(0, 30)).ofSizeBetween(1, 80))
                .checkAssert((n, members) -> {
                    try (LimiterEngine e = engine(new ManualClock(0), List.of(Limit.cardinality("card", n).build()))) {
                        CardinalityLimiter l = e.cardinalityLimiter("card");
                        Set<Integer> admitted = new HashSet<>();
                        for (int m : members) {
                            boolean ok = l.tryAdmit("parent", "member-" + m, 0, null);
                            if (admitted.contains(m)) {
                                assertTrue(ok, () -> "member " + m + " was admitted before and is refused now");
                            }
                            if (ok) {
                                admitted.add(m);
                            }
                            assertTrue(admitted.size() <= n, () -> admitted.size() + " distinct members under N = " + n);
                        }
                    }
                });
    }

    @Test
    public void aCompositeDecisionTakesEveryCheckOrNone() {
        qt().withExamples(EXAMPLES).forAll(longs().between(1, 12), longs().between(1, 12),
                lists().of(longs().between(1, 5)).ofSizeBetween(1, 40)).checkAssert((na, nb, asks) -> {
                    try (LimiterEngine e = engine(new ManualClock(0),
                            List.of(Limit.quota("a", na).build(), Limit.quota("b", nb).build()))) {
                        QuotaLimiter a = e.quotaLimiter("a");
                        QuotaLimiter b = e.quotaLimiter("b");
                        Checks checks = new Checks();
                        long taken = 0;
                        for (long p : asks) {
                            if (e.tryAcquireAll(checks.clear().add(a, "k", p).add(b, "k", p), 0, null)) {
                                taken += p;
                            }
                        }
                        // every denied request left both untouched: exactly `taken` is used on each
                        long restA = na - taken;
                        long restB = nb - taken;
                        assertTrue(restA >= 0 && restB >= 0, "a composite over-admitted");
                        assertTrue(restA == 0 || a.tryAcquire("k", restA, 0, null), "a denied composite kept permits of a");
                        assertTrue(restB == 0 || b.tryAcquire("k", restB, 0, null), "a denied composite kept permits of b");
                        assertFalse(a.tryAcquire("k", 1, 0, null));
                        assertFalse(b.tryAcquire("k", 1, 0, null));
                    }
                });
    }

    @Test
    public void concurrentCallersGetExactlyNFromOneWindow() throws Exception {
        for (Limit limit : windowsOf500()) {
            try (LimiterEngine e = engine(new ManualClock(0), List.of(limit))) {
                RateLimiter l = e.rateLimiter(limit.name());
                AtomicLong granted = new AtomicLong();
                startTogether(4, c -> {
                    for (int i = 0; i < 400; i++) {
                        if (l.tryAcquire("shared", 1, i, null)) {
                            granted.incrementAndGet();
                        }
                    }
                });
                assertEquals(500, granted.get(), limit.name() + ": 1,600 asks in one window of N = 500");
            }
        }
    }
}
