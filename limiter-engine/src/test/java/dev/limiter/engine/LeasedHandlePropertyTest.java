package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.AdmissionOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Leased handles keep the token bucket's guarantee exactly: callers share a leased handle per key
 * (each thread with its own lease), race with plain acquires on the same keys and with a sweeper
 * that rotates the table again and again; the clock moves between phases (by up to T, often by
 * less than a lease spans), so leases outlive phases, pass unused, keys decay and are evicted, and
 * old leases meet fresh states. Every grant is recorded and the
 * brute-force oracle of the guarantee (in every interval [a, b], granted * I &lt;= b - a + burst * I)
 * judges them per key. A lease granted from slots it does not own, or at a time its slots allow no
 * more, would over-admit.
 */
class LeasedHandlePropertyTest {
    private static final int CALLERS = 3;
    private static final int KEYS = 3;
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

    /** N, T, burst, lease size, and per phase a clock step and the asks. */
    static final class Schedule {
        final long permits;
        final long period;
        final long burst;
        final long lease;
        final List<Long> steps;
        final List<List<Integer>> asks;

        Schedule(long[] f, List<Long> steps, List<List<Integer>> asks) {
            this.permits = f[0];
            this.period = f[1];
            this.burst = f[2];
            this.lease = f[3];
            this.steps = steps;
            this.asks = asks;
        }

        @Override
        public String toString() {
            return "N=" + permits + ", T=" + period + "ns, burst " + burst + ", lease " + lease + ", steps " + steps
                    + ", asks " + asks;
        }
    }

    static Gen<Schedule> schedules() {
        return longs().between(1, 12).zip(longs().between(10, 2_000), longs().between(1, 12),
                (n, t, b) -> new long[] {n, t, b, 1}).flatMap(f -> longs().between(1, f[2]).flatMap(lease -> {
                    long[] g = {f[0], f[1], f[2], lease};
                    Gen<List<Integer>> phase = lists().of(integers().between(0, 1 << 10)).ofSizeBetween(1, 120);
                    return lists().of(longs().between(0, f[1])).ofSize(8)
                            .zip(lists().of(phase).ofSize(8), (steps, asks) -> new Schedule(g, steps, asks));
                }));
    }

    @Test
    void leasedGrantsKeepTheTokenBucketGuaranteeUnderRaces() {
        qt().withExamples(EXAMPLES).forAll(schedules()).checkAssert(s -> {
            ManualClock clock = new ManualClock(-3 * s.period);
            Limit limit = Limit.tokenBucket("l", s.permits, Duration.ofNanos(s.period)).burst(s.burst).build();
            List<AdmissionOracle.Grant> grants = Collections.synchronizedList(new ArrayList<>());
            try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).whenFull(WhenFull.DENY)
                    .limit(limit, 2).build()) {
                RateLimiter l = engine.rateLimiter("l");
                List<LimitHandle> leased = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    leased.add(l.leasedHandle(k, s.lease));
                }
                for (int phase = 0; phase < s.steps.size(); phase++) {
                    long now = clock.advance(s.steps.get(phase));
                    List<Integer> asks = s.asks.get(phase);
                    AtomicInteger running = new AtomicInteger(CALLERS);
                    callers.race(t -> {
                        if (t == CALLERS) {
                            do {
                                engine.eviction().evictNow();
                            } while (running.get() > 0);
                            return;
                        }
                        try {
                            for (int i = t; i < asks.size(); i += CALLERS) {
                                int ask = asks.get(i);
                                int key = ask % KEYS;
                                long p = 1 + (ask / KEYS) % Math.min(s.burst, 3);
                                boolean plain = t == 2 && ((ask >> 9) & 1) == 1;
                                boolean ok = plain ? l.tryAcquire(key, p, now) : leased.get(key).tryAcquire(p, now);
                                if (ok) {
                                    grants.add(new AdmissionOracle.Grant(key, now, p));
                                }
                            }
                        } finally {
                            running.decrementAndGet();
                        }
                    });
                }
            }
            assertNull(AdmissionOracle.tokenBucketViolation(grants, s.permits, s.period, s.burst));
        });
    }

    @Test
    void aLeaseIsAskedForAtLeastOnePermitAndOnlyTokenBucketsLease() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 16)
                .limit(Limit.fixedWindow("fw", 3, Duration.ofSeconds(1)).build(), 16).build()) {
            assertThrows(IllegalArgumentException.class, () -> engine.rateLimiter("tb").leasedHandle(1, 0));
            LimitHandle fw = engine.rateLimiter("fw").leasedHandle(1, 3);
            int granted = 0;
            for (int i = 0; i < 5; i++) {
                granted += fw.tryAcquire(1, 0) ? 1 : 0;
            }
            assertEquals(3, granted, "a window's leased handle decides as a plain one");
        }
    }

    @Test
    void aHugeLeaseOrAHugeAskDecidesAsThePlainPath() {
        ManualClock clock = new ManualClock();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock)
                .limit(Limit.tokenBucket("tb", 10, Duration.ofSeconds(1)).build(), 16).build()) {
            RateLimiter tb = engine.rateLimiter("tb");
            LimitHandle huge = tb.leasedHandle(1, Long.MAX_VALUE);   // can never be taken: every ask goes the plain way
            assertEquals(10, countGrants(huge, 15), "a lease larger than the bucket grants exactly the burst, no more");
            LimitHandle small = tb.leasedHandle(2, 4);
            assertEquals(false, small.tryAcquire(Long.MAX_VALUE, 0), "an ask beyond any lease is refused");
            assertEquals(10, countGrants(small, 15), "and leaves the bucket whole");
        }
    }

    private static int countGrants(LimitHandle h, int asks) {
        int granted = 0;
        for (int i = 0; i < asks; i++) {
            granted += h.tryAcquire(1, 0) ? 1 : 0;
        }
        return granted;
    }
}
