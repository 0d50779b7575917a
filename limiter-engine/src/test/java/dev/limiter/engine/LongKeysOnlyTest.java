package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.table.KeyTable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * {@link OffHeapEngine.Builder#longKeysOnly()}: a table that stores 64-bit keys as themselves decides
 * exactly as the table that stores any key, trace for trace, through rotations that evict, full
 * tables and handles cached before their key moved; it refuses other keys before changing anything;
 * and it takes a third less memory for a token bucket.
 */
class LongKeysOnlyTest {
    static final int EXAMPLES = Math.max(50, Integer.getInteger("limiter.property.examples", 1000) / 2);
    private static final long UNIT = 100;
    /** The keys a trace uses: the narrow layout's escape keys and edges among ordinary ones. */
    private static final long[] KEYS = {0, KeyTable.FROZEN_PUBLISH, 1, 2, -1, Long.MIN_VALUE, 7, 1L << 40,
        KeyTable.FROZEN_CLAIM, 12};

    /** One step, decoded from a generated int so that shrinking stays readable. */
    static final class Step {
        final int kind;      // 0-4 acquire by key, 5 via handle, 6 evict now, 7 release a lease
        final int key;
        final long permits;
        final long advance;

        Step(int x) {
            this.kind = x % 8;
            this.key = (x >> 3) % KEYS.length;
            this.permits = 1 + (x >> 7) % 3;
            this.advance = ((x >> 9) % 6) * UNIT / 2;
        }

        @Override
        public String toString() {
            String what = kind < 5 ? "acquire" : kind == 5 ? "handle" : kind == 6 ? "EVICT" : "release";
            return "+" + advance + " " + what + "(" + KEYS[key] + ", p" + permits + ")";
        }
    }

    static Gen<List<Step>> traces() {
        return lists().of(integers().between(0, (1 << 12) - 1).map(Step::new)).ofSizeBetween(1, 80);
    }

    private static OffHeapEngine engine(Limit limit, ManualClock clock, boolean narrow) {
        OffHeapEngine.Builder b = OffHeapEngine.builder().clock(clock).seed(3).whenFull(WhenFull.DENY);
        return (narrow ? b.longKeysOnly() : b).limit(limit, 4).build();   // 4 live keys of 10: rotations make room
    }

    private static List<String> run(Limit limit, List<Step> trace, boolean narrow) {
        ManualClock clock = new ManualClock(-3 * UNIT);
        List<String> out = new ArrayList<>();
        try (OffHeapEngine engine = engine(limit, clock, narrow)) {
            OffHeapLimiter l = (OffHeapLimiter) engine.limiter(limit.name());
            boolean leases = limit.algorithm() == dev.limiter.Algorithm.CONCURRENCY;
            List<Lease> held = new ArrayList<>();
            List<LimitHandle> handles = new ArrayList<>();
            for (int k = 0; k < 3 && !leases; k++) {
                handles.add(l.handle(KEYS[k]));
            }
            for (Step s : trace) {
                long now = clock.advance(s.advance);
                Decision d = new Decision();
                if (s.kind == 6) {
                    out.add("evicted " + engine.eviction().evictNow());
                    continue;
                }
                if (s.kind == 7) {
                    if (!held.isEmpty()) {
                        held.remove(s.key % held.size()).close();
                    }
                    continue;
                }
                if (leases) {
                    Lease lease = l.tryLease(KEYS[s.key], s.permits, now, d);
                    if (lease != null) {
                        held.add(lease);
                    }
                } else if (s.kind == 5 && s.key < handles.size()) {
                    handles.get(s.key).tryAcquire(s.permits, now, d);
                } else {
                    l.tryAcquire(KEYS[s.key], s.permits, now, d);
                }
                out.add(s + " -> " + d.allowed() + " remaining " + d.remaining() + " retry " + d.retryAfterNanos()
                        + " reset " + d.resetAfterNanos() + " keys " + l.keyCount());
            }
        }
        return out;
    }

    private static void sameDecisions(Function<Long, Limit> limitOf) {
        qt().withExamples(EXAMPLES).forAll(traces(), integers().between(1, 6)).checkAssert((trace, permits) -> {
            Limit limit = limitOf.apply((long) permits);
            assertEquals(run(limit, trace, false), run(limit, trace, true));
        });
    }

    @Test
    void tokenBucketDecidesAsTheWideTable() {
        sameDecisions(n -> Limit.tokenBucket("l", n, Duration.ofNanos(4 * UNIT)).burst(n).build());
    }

    @Test
    void slidingWindowDecidesAsTheWideTable() {
        sameDecisions(n -> Limit.slidingWindow("l", n, Duration.ofNanos(4 * UNIT)).subWindows(2).build());
    }

    @Test
    void fixedWindowDecidesAsTheWideTable() {
        sameDecisions(n -> Limit.fixedWindow("l", n, Duration.ofNanos(4 * UNIT)).build());
    }

    @Test
    void concurrencyLeasesDecideAsTheWideTable() {
        sameDecisions(n -> Limit.concurrency("l", n, Duration.ofNanos(6 * UNIT)).build());
    }

    @Test
    void otherKeysAreRefusedBeforeAnythingChanges() {
        Limit limit = Limit.tokenBucket("l", 1, Duration.ofSeconds(1)).build();
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).longKeysOnly().limit(limit, 16).build()) {
            OffHeapLimiter l = (OffHeapLimiter) engine.limiter("l");
            Decision d = new Decision();
            assertThrows(UnsupportedOperationException.class, () -> l.tryAcquire("k", 1, 0, d));
            assertThrows(UnsupportedOperationException.class, () -> l.tryAcquire(new byte[] {1}, 1, 0, d));
            assertThrows(UnsupportedOperationException.class, () -> l.handle("k"));
            assertThrows(UnsupportedOperationException.class, () -> l.permitsFor("k"));
            assertThrows(UnsupportedOperationException.class, () -> l.override("k", 5));
            assertThrows(UnsupportedOperationException.class,      // the first attempt runs on the caller's thread
                    () -> engine.async().acquire(engine.rateLimiter("l"), "k", 1, Duration.ofSeconds(1)));
            assertEquals(0, l.keyCount(), "a refused key was claimed");
            assertThrows(UnsupportedOperationException.class,
                    () -> engine.tryAcquireAll(new Checks().add(l, 5L, 1).add(l, "k", 1), 0, d));
            assertTrue(l.tryAcquire(5L, 1, 0, d), "a refused composite took key 5's permit");
            assertFalse(l.tryAcquire(5L, 1, 0, d));
        }
        assertThrows(IllegalStateException.class,
                () -> OffHeapEngine.builder().limit(limit, 16).longKeysOnly());
    }

    @Test
    void aTokenBucketKeyTakesSixteenBytesOfSlotInsteadOfTwentyFour() {
        Limit limit = Limit.tokenBucket("l", 1, Duration.ofSeconds(1)).build();
        long keys = 1_000_000;
        try (OffHeapEngine wide = OffHeapEngine.builder().evictIdleKeys(false).limit(limit, keys).build();
             OffHeapEngine narrow = OffHeapEngine.builder().evictIdleKeys(false).longKeysOnly().limit(limit, keys).build()) {
            assertEquals(30.0, (double) wide.bytesAllocated() / keys);
            assertEquals(20.0, (double) narrow.bytesAllocated() / keys);
            RateLimiter l = narrow.rateLimiter("l");
            for (long k = 0; k < keys; k++) {
                assertTrue(l.tryAcquire(k * 0x9E3779B97F4A7C15L), "key " + k);
            }
            assertEquals(keys, l.keyCount());
        }
    }
}
