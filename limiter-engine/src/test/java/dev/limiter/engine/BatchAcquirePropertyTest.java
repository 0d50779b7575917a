package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.TableFullException;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.testkit.ReferenceEngine;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The batch acquire decides as single acquires in key order, duplicates included, while rotations
 * move keys: against the reference model (ReferenceEngine, the textbook algorithms) on a table
 * that has room for every key but is rotated at random points and by its own claims; and against
 * this engine's single path on a table too small for the keys (200 keys, 4 live, 72 claims a table), where rotations evict, claims find
 * the table full, and each {@link WhenFull} decides (a REJECT throws at the first key that finds
 * no room, with every key before it decided). In that second comparison the batched engine's
 * tables hold long keys as themselves (longKeysOnly) and the single one's any key.
 */
class BatchAcquirePropertyTest {
    static final int EXAMPLES = Math.max(50, Integer.getInteger("limiter.property.examples", 1000) / 4);

    /** A step: a rotation, or a batch of keys asked for {@code permits} each, after the clock moved {@code dt}. */
    static final class Step {
        final boolean rotate;
        final long dt;
        final long permits;
        final long[] keys;

        Step(int kind, long dt, List<Integer> keys) {
            this.rotate = kind == 0;
            this.dt = dt;
            this.permits = 1 + kind % 2;
            this.keys = keys.stream().mapToLong(Step::key).toArray();
        }

        /**
         * Key {@code k} of a trace: the first few are the keys a narrow table cannot store as
         * themselves or that sit at its edges (0, the barred word, which both live in escape slots
         * past the probe range, the last of them the table's last slot; -1; the smallest long), the
         * others themselves.
         */
        static long key(int k) {
            return k == 1 ? KeyTable.FROZEN_PUBLISH : k == 2 ? -1L : k == 3 ? Long.MIN_VALUE : k;
        }

        @Override
        public String toString() {
            return "+" + dt + (rotate ? " ROTATE" : " p" + permits + " " + Arrays.toString(keys));
        }
    }

    /** N, T and the steps. */
    static final class Trace {
        final long n;
        final long t;
        final List<Step> steps;

        Trace(long n, long t, List<Step> steps) {
            this.n = n;
            this.t = t;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return "N=" + n + " T=" + t + "ns " + steps;
        }
    }

    static Gen<Trace> traces(int keys) {
        return longs().between(1, 6).zip(longs().between(20, 400), (n, t) -> new long[] {n, t}).flatMap(f -> {
            Gen<Step> step = integers().between(0, 6).zip(longs().between(0, f[1]),
                    lists().of(integers().between(0, keys - 1).mix(integers().between(0, 3), 30)).ofSizeBetween(0, 80), Step::new); // up to three engine groups
            return lists().of(step).ofSizeBetween(1, 25).map(steps -> new Trace(f[0], f[1], steps));
        });
    }

    private static final List<BiFunction<Long, Long, Limit>> LIMITS = List.of(
            (n, t) -> Limit.tokenBucket("l", n, Duration.ofNanos(t)).burst(Math.max(1, n / 2)).build(),
            (n, t) -> Limit.fixedWindow("l", n, Duration.ofNanos(t)).build(),
            (n, t) -> Limit.slidingWindow("l", n, Duration.ofNanos(t)).subWindows(3).build(),
            (n, t) -> Limit.quota("l", 2 * n).build());

    private static OffHeapEngine offHeap(ManualClock clock, Limit limit, long capacity, WhenFull whenFull) {
        return offHeap(clock, limit, capacity, whenFull, false);
    }

    /** @param longKeysOnly whether the engine's tables hold 64-bit keys as themselves (the narrow layout) */
    private static OffHeapEngine offHeap(ManualClock clock, Limit limit, long capacity, WhenFull whenFull,
                                         boolean longKeysOnly) {
        OffHeapEngine.Builder b = OffHeapEngine.builder().clock(clock).seed(11).evictIdleKeys(true).whenFull(whenFull);
        return (longKeysOnly ? b.longKeysOnly() : b).limit(limit, capacity).build();
    }

    /**
     * Runs {@code trace} through {@code batched} (by batches) and {@code single} (one key at a time, in
     * order) and asserts equal answers; a TableFullException must come at the same key from both.
     */
    private static void same(Trace trace, ManualClock clock, OffHeapEngine batched, LimiterEngine single,
                             Runnable rotateSingle) {
        RateLimiter b = batched.rateLimiter("l");
        RateLimiter s = single.rateLimiter("l");
        for (Step step : trace.steps) {
            long now = clock.advance(step.dt);
            if (step.rotate) {
                batched.eviction().evictNow();
                rotateSingle.run();
                continue;
            }
            int len = step.keys.length;
            boolean[] expected = new boolean[len];
            int count = 0;
            int fullAt = len;
            for (int i = 0; i < len && fullAt == len; i++) {
                try {
                    expected[i] = s.tryAcquire(step.keys[i], step.permits, now);
                    count += expected[i] ? 1 : 0;
                } catch (TableFullException e) {
                    fullAt = i;
                }
            }
            boolean[] granted = new boolean[len];
            Arrays.fill(granted, true);
            Arrays.fill(expected, fullAt, len, true);           // untouched past a REJECT
            try {
                int got = b.tryAcquireBatch(step.keys, 0, len, step.permits, now, granted);
                assertEquals(len, fullAt, () -> "the batch did not throw where the single path did: " + step);
                assertEquals(count, got, () -> "count at " + step + " of " + trace);
            } catch (TableFullException e) {
                if (fullAt == len) {
                    fail("the batch threw where the single path did not: " + step + " of " + trace, e);
                }
                Arrays.fill(granted, fullAt, len, true);        // answers past the throwing key are not defined
            }
            assertArrayEquals(expected, granted, () -> "at " + step + " of " + trace);
        }
    }

    @Test
    void batchesMatchTheReferenceModelWhileTheTableRotates() {
        for (int a = 0; a < LIMITS.size(); a++) {
            if (a == 2) {
                continue;                                       // sub-windows are conservative: the model keeps a log
            }
            BiFunction<Long, Long, Limit> limitOf = LIMITS.get(a);
            qt().withExamples(EXAMPLES).forAll(traces(12)).checkAssert(trace -> {
                ManualClock clock = new ManualClock(-5 * trace.t);
                Limit limit = limitOf.apply(trace.n, trace.t);
                try (OffHeapEngine batched = offHeap(clock, limit, 16, WhenFull.REJECT);
                     ReferenceEngine model = new ReferenceEngine(clock, List.of(limit))) {
                    same(trace, clock, batched, model, () -> { });   // a rotation changes no decision
                }
            });
        }
    }

    @Test
    void batchesMatchSingleAcquiresWhenTheTableIsTooSmallForTheKeys() {
        for (BiFunction<Long, Long, Limit> limitOf : LIMITS) {
            for (WhenFull whenFull : WhenFull.values()) {
                qt().withExamples(EXAMPLES / 2).forAll(traces(200)).checkAssert(trace -> {
                    ManualClock clock = new ManualClock(-5 * trace.t);
                    Limit limit = limitOf.apply(trace.n, trace.t);
                    try (OffHeapEngine batched = offHeap(clock, limit, 4, whenFull, true);   // narrow against wide
                         OffHeapEngine single = offHeap(clock, limit, 4, whenFull)) {
                        same(trace, clock, batched, single, () -> single.eviction().evictNow());
                    }
                });
            }
        }
    }
}
