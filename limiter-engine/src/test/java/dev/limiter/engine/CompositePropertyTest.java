package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.AdmissionOracle;
import dev.limiter.internal.EngineAccess;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Composite decisions are atomic: a request's permits are taken in all of its checks or in none.
 *
 * <p>Concurrent property: several threads fire composite requests over a quota, a sliding window,
 * a fixed window, a concurrency limit and a token bucket at one instant; afterwards every key of
 * every limit must have consumed exactly the permits of the admitted requests that named it (so a
 * denied request left nothing anywhere), measured by probing each key's remaining permits.
 * Sequential property: over all six algorithms (two token buckets), a denied request leaves every
 * off-heap byte as it was.
 */
class CompositePropertyTest {
    private static final int THREADS = 3;
    private static final int KEYS = 2;
    private static final String[] NAMES = {"q", "sw", "fw", "c", "tb"};
    private static final long HOUR = Duration.ofHours(1).toNanos();
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** A request: bit i of {@code mask} names limit i; keys and permits per limit; release it later or not. */
    static final class Request {
        final int mask;
        final int keys;
        final int permits;
        final boolean release;

        Request(int mask, int keys, int permits, boolean release) {
            this.mask = mask == 0 ? 1 : mask;
            this.keys = keys;
            this.permits = permits;
            this.release = release;
        }

        int key(int limit) {
            return (keys >> limit) & 1;
        }

        long permits(int limit) {
            return 1 + ((permits >> (2 * limit)) & 3) % 3;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("{");
            for (int l = 0; l < NAMES.length; l++) {
                if ((mask >> l & 1) == 1) {
                    sb.append(NAMES[l]).append(':').append(key(l)).append('x').append(permits(l)).append(' ');
                }
            }
            return sb.append(release ? "released}" : "}").toString();
        }
    }

    static Gen<List<Request>> requests() {
        Gen<Request> r = integers().between(0, 31).zip(integers().between(0, 31), integers().between(0, 1023),
                integers().between(0, 3), (m, k, p, rel) -> new Request(m, k, p, rel == 0));
        return lists().of(r).ofSizeBetween(THREADS, 90);
    }

    /** Three limit sizes, printed readably. */
    static final class Sizes {
        final long[] n;

        Sizes(long a, long b, long c) {
            this.n = new long[] {a, b, c};
        }

        @Override
        public String toString() {
            return "N" + Arrays.toString(n);
        }
    }

    static Gen<Sizes> limits() {
        return longs().between(1, 12).zip(longs().between(1, 12), longs().between(1, 12), Sizes::new);
    }

    static String describe(Checks checks) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < checks.size(); i++) {
            sb.append(checks.limiter(i).limit().name()).append(':').append(checks.longKey(i));
            if (checks.hasMember(i)) {
                sb.append('/').append(checks.memberLongKey(i));
            }
            sb.append('x').append(checks.permits(i)).append(i + 1 < checks.size() ? " " : "");
        }
        return sb.append(']').toString();
    }

    private static OffHeapEngine engine(ManualClock clock, long[] n) {
        return OffHeapEngine.builder().clock(clock)
                .limit(Limit.quota("q", n[0]).build(), 8)
                .limit(Limit.slidingWindow("sw", n[1], Duration.ofHours(1)).subWindows(4).build(), 8)
                .limit(Limit.fixedWindow("fw", n[2], Duration.ofHours(1)).build(), 8)
                .limit(Limit.concurrency("c", n[0] + 2, Duration.ofHours(1)).build(), 8)
                .limit(Limit.tokenBucket("tb", n[1] + 3, Duration.ofHours(1)).build(), 8)
                .build();
    }

    @Test
    void aDeniedRequestConsumesNothingUnderConcurrentCallers() {
        qt().withExamples(Math.max(100, ExactConcurrentPropertyTest.EXAMPLES)).forAll(limits(), requests())
                .checkAssert((sizes, reqs) -> {
                    long[] n = sizes.n;
                    ManualClock clock = new ManualClock(7 * HOUR + 5);
                    long now = clock.nanoTime();
                    try (OffHeapEngine engine = engine(clock, n)) {
                        Limiter[] limiters = new Limiter[NAMES.length];
                        for (int l = 0; l < NAMES.length; l++) {
                            limiters[l] = engine.limiter(NAMES[l]);
                        }
                        CyclicBarrier go = new CyclicBarrier(THREADS);
                        List<Future<long[][]>> futures = new ArrayList<>();
                        for (int t = 0; t < THREADS; t++) {
                            final int self = t;
                            futures.add(pool.submit(() -> {
                                long[][] taken = new long[NAMES.length][KEYS];
                                Checks checks = new Checks();
                                Decision d = new Decision();
                                go.await();
                                for (int i = self; i < reqs.size(); i += THREADS) {
                                    Request r = reqs.get(i);
                                    checks.clear();
                                    for (int l = 0; l < NAMES.length; l++) {
                                        if ((r.mask >> l & 1) == 1) {
                                            checks.add(limiters[l], r.key(l), r.permits(l));
                                        }
                                    }
                                    if (engine.tryAcquireAll(checks, now, d)) {
                                        assertEquals(Outcome.ALLOWED, d.outcome());
                                        boolean released = r.release;
                                        if (released) {
                                            engine.releaseAll(checks, now);
                                            engine.releaseAll(checks, now);   // idempotent
                                        }
                                        for (int l = 0; l < NAMES.length; l++) {
                                            if ((r.mask >> l & 1) == 1 && !(released && l == 3)) {
                                                taken[l][r.key(l)] += r.permits(l);
                                            }
                                        }
                                    } else {
                                        int at = d.checkIndex();
                                        assertTrue(at >= 0 && at < checks.size(), d::toString);
                                        assertEquals(checks.limiter(at).limit().name(), d.limit().name());
                                        assertTrue(d.retryAfterNanos() > 0, d::toString);
                                    }
                                }
                                return taken;
                            }));
                        }
                        long[][] expected = new long[NAMES.length][KEYS];
                        for (Future<long[][]> f : futures) {
                            long[][] taken = f.get(60, TimeUnit.SECONDS);
                            for (int l = 0; l < NAMES.length; l++) {
                                for (int k = 0; k < KEYS; k++) {
                                    expected[l][k] += taken[l][k];
                                }
                            }
                        }
                        for (int l = 0; l < NAMES.length; l++) {
                            for (int k = 0; k < KEYS; k++) {
                                assertEquals(expected[l][k], consumed(limiters[l], k, now),
                                        NAMES[l] + " key " + k + " consumed differs from the admitted requests");
                            }
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    /** @return the permits a key has consumed, from the remaining figure of one more (probing) request */
    static long consumed(Limiter limiter, long key, long now) {
        Decision d = new Decision();
        boolean granted;
        if (limiter instanceof ConcurrencyLimiter) {
            Lease lease = ((ConcurrencyLimiter) limiter).tryLease(key, 1, now, d);
            granted = lease != null;
        } else {
            granted = ((RateLimiter) limiter).tryAcquire(key, 1, now, d);
        }
        long n = limiter.limit().maxPermitsPerRequest();
        return granted ? n - 1 - d.remaining() : n - d.remaining();
    }

    @Test
    void aDeniedRequestLeavesEveryByteAsItWas() {
        qt().withExamples(Integer.getInteger("limiter.property.examples", 1000)).forAll(limits(), requests())
                .checkAssert((sizes, reqs) -> {
                    long[] n = sizes.n;
                    ManualClock clock = new ManualClock(-3 * HOUR);
                    try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                            .limit(Limit.quota("q", n[0]).build(), 4)
                            .limit(Limit.slidingWindow("sw", n[1], Duration.ofSeconds(1)).subWindows(3).build(), 4)
                            .limit(Limit.fixedWindow("fw", n[2], Duration.ofSeconds(1)).build(), 4)
                            .limit(Limit.concurrency("c", n[0], Duration.ofSeconds(1)).build(), 4)
                            .limit(Limit.tokenBucket("tb", n[1], Duration.ofSeconds(1)).burst(n[2]).build(), 4)
                            .limit(Limit.tokenBucket("tb2", n[2], Duration.ofMillis(300)).build(), 4)
                            .limit(Limit.cardinality("card", n[0]).build(), 64)
                            .build()) {
                        String[] names = {"q", "sw", "fw", "c", "tb", "tb2", "card"};
                        Checks checks = new Checks();
                        Decision d = new Decision();
                        for (int l = 0; l < names.length; l++) {          // claim every slot up front
                            for (int k = 0; k < KEYS; k++) {
                                checks.clear();
                                if (l == 6) {
                                    for (int m = 0; m < 4; m++) {
                                        KeySpace card = ((OffHeapLimiter) engine.limiter("card")).open();
                                        card.find(card.view(), (long) k);
                                        card.findMember(k, m);
                                    }
                                } else {
                                    KeySpace ks = ((OffHeapLimiter) engine.limiter(names[l])).open();
                                    ks.find(ks.view(), (long) k);
                                }
                            }
                        }
                        for (Request r : reqs) {
                            clock.advance((r.permits & 15) * 37_000_000L);
                            checks.clear();
                            for (int l = 0; l < names.length; l++) {
                                int bit = l < 5 ? l : l - 5;
                                if ((r.mask >> bit & 1) == 1 && (l < 5 || (r.keys & 1) == 1)) {
                                    if (l == 6) {
                                        checks.addMember(engine.cardinalityLimiter("card"), r.key(0), r.permits & 3);
                                    } else {
                                        checks.add(engine.limiter(names[l]), r.key(bit), r.permits(bit));
                                    }
                                }
                            }
                            byte[][] before = snapshot(engine);
                            boolean granted = engine.tryAcquireAll(checks, clock.nanoTime(), d);
                            if (!granted) {
                                byte[][] after = snapshot(engine);
                                for (int l = 0; l < before.length; l++) {
                                    assertArrayEquals(before[l], after[l], "a denied request " + describe(checks) + " changed "
                                            + engine.limiters().get(l).limit().name() + ": " + d);
                                }
                                assertFalse(d.allowed());
                            } else if (r.release) {
                                engine.releaseAll(checks, clock.nanoTime());
                            }
                        }
                    }
                });
    }

    private static byte[][] snapshot(OffHeapEngine engine) {
        List<Limiter> all = engine.limiters();
        byte[][] out = new byte[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            AtomicBuffer b = ((OffHeapLimiter) all.get(i)).open().view().slots().buffer();
            out[i] = new byte[b.capacity()];
            b.getBytes(0, out[i]);
        }
        return out;
    }

    /**
     * Token-bucket refunds are the inexact ones (docs/EXACTNESS.md, section 6): requests naming two token
     * buckets and a sliding window race in phases while the clock moves, so that a check denying
     * at commit time makes the engine refund a token bucket that others are moving. Each thread
     * acts at its own offset inside a phase (token buckets need no order between time stamps), so
     * refunds meet idle gaps. Every token bucket must still satisfy "granted &le; burst +
     * rate&middot;t" over every interval, and the window "&le; N in every window".
     */
    @Test
    void refundsAfterLostRacesNeverOverAdmit() {
        qt().withExamples(ExactConcurrentPropertyTest.EXAMPLES).forAll(ExactConcurrentPropertyTest.schedules(8))
                .checkAssert(s -> {
                    ManualClock clock = new ManualClock(-7 * s.period);
                    long n = s.permits;
                    List<AdmissionOracle.Grant> a = new CopyOnWriteArrayList<>();
                    List<AdmissionOracle.Grant> b = new CopyOnWriteArrayList<>();
                    List<AdmissionOracle.Grant> w = new CopyOnWriteArrayList<>();
                    try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                            .limit(Limit.tokenBucket("a", n, Duration.ofNanos(s.period)).build(), 8)
                            .limit(Limit.tokenBucket("b", n + 1, Duration.ofNanos(s.period)).build(), 8)
                            .limit(Limit.slidingWindow("w", 2 * n, Duration.ofNanos(s.period)).subWindows(s.k).build(), 8)
                            .build()) {
                        Limiter la = engine.limiter("a");
                        Limiter lb = engine.limiter("b");
                        Limiter lw = engine.limiter("w");
                        for (int phase = 0; phase < s.steps.size(); phase++) {
                            long phaseStart = clock.advance(s.steps.get(phase));
                            List<Integer> asks = s.asks.get(phase);
                            CyclicBarrier go = new CyclicBarrier(THREADS);
                            List<Future<?>> done = new ArrayList<>();
                            for (int t = 0; t < THREADS; t++) {
                                final int self = t;
                                final long now = phaseStart + self * (s.period / 2);
                                done.add(pool.submit(() -> {
                                    Checks checks = new Checks();
                                    go.await();
                                    for (int i = self; i < asks.size(); i += THREADS) {
                                        int ask = asks.get(i);
                                        long pa = 1 + ask % Math.min(n, 3);
                                        long pb = 1 + (ask >> 2) % Math.min(n + 1, 3);
                                        int ka = ask >> 4 & 1;
                                        int kb = ask >> 5 & 1;
                                        checks.clear().add(la, ka, pa).add(lb, kb, pb).add(lw, self, 1);
                                        if (engine.tryAcquireAll(checks, now, null)) {
                                            a.add(new AdmissionOracle.Grant(ka, now, pa));
                                            b.add(new AdmissionOracle.Grant(kb, now, pb));
                                            w.add(new AdmissionOracle.Grant(self, now, 1));
                                        }
                                    }
                                    return null;
                                }));
                            }
                            for (Future<?> f : done) {
                                f.get(60, TimeUnit.SECONDS);
                            }
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    assertEquals(null, AdmissionOracle.tokenBucketViolation(new ArrayList<>(a), n, s.period, n));
                    assertEquals(null, AdmissionOracle.tokenBucketViolation(new ArrayList<>(b), n + 1, s.period, n + 1));
                    assertEquals(null, AdmissionOracle.slidingWindowViolation(new ArrayList<>(w), 2 * n, s.period));
                });
    }

    @Test
    void theDecisionNamesTheDenyingCheckWithTheLongestRetry() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("fast", 1, Duration.ofSeconds(1)).build(), 4)
                .limit(Limit.tokenBucket("slow", 1, Duration.ofSeconds(60)).build(), 4)
                .limit(Limit.quota("open", 100).build(), 4)
                .build();
             OffHeapEngine other = OffHeapEngine.builder().clock(clock)
                     .limit(Limit.quota("open", 100).build(), 4).build()) {
            RateLimiter fast = engine.rateLimiter("fast");
            RateLimiter slow = engine.rateLimiter("slow");
            Limiter open = engine.limiter("open");
            assertTrue(fast.tryAcquire(1L, 1, 0));
            assertTrue(slow.tryAcquire(1L, 1, 0));
            Checks checks = new Checks().add(open, 1L, 5).add(fast, 1L, 1).add(slow, 1L, 1);
            Decision d = new Decision();
            assertFalse(engine.tryAcquireAll(checks, 0, d));
            assertEquals(2, d.checkIndex());
            assertEquals("slow", d.limit().name());
            assertEquals(Duration.ofSeconds(60).toNanos(), d.retryAfterNanos());
            assertEquals(0, CompositePropertyTest.consumed(open, 1L, 0) - 0, "the quota gave nothing away");

            Checks foreign = new Checks().add(open, 2L, 3).add(other.limiter("open"), 2L, 1);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> engine.tryAcquireAll(foreign, 0, d));
            assertTrue(e.getMessage().contains("another engine"), e.getMessage());
            assertEquals(0, CompositePropertyTest.consumed(open, 2L, 0));

            Checks tooMany = new Checks().add(open, 3L, 101);
            assertFalse(engine.tryAcquireAll(tooMany, 0, d));
            assertEquals(Outcome.UNSATISFIABLE, d.outcome());
            assertEquals(Long.MAX_VALUE, d.retryAfterNanos());

            Checks ok = new Checks().add(open, 4L, 90).add(slow, 2L, 1);
            assertTrue(engine.tryAcquireAll(ok, 0, d));
            assertEquals(Outcome.ALLOWED, d.outcome());
            assertEquals("slow", d.limit().name(), "the decision describes the check with fewest remaining");
            assertEquals(1, d.checkIndex());
            assertEquals(0, EngineAccess.checks().token(ok, 0), "non-lease checks hold no token after success");
            assertEquals(0, EngineAccess.checks().token(ok, 1), "non-lease checks hold no token after success");
        }
    }
}
