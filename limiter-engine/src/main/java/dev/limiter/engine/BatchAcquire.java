package dev.limiter.engine;

import dev.limiter.internal.BatchArguments;
import dev.limiter.engine.internal.store.OffHeapWords;
import dev.limiter.engine.internal.table.Fingerprint;
import dev.limiter.engine.internal.table.KeyTable;

import java.util.Arrays;

/*
 * A batch acquire that touches every slot of a group before it writes any.
 *
 * Idea. A single acquire on a table larger than the caches is one dependent chain: hash, load the
 * slot (a miss), decide, CAS. The CAS is a full fence, so the next acquire's miss cannot start
 * before it retires: one miss per key, end to end. A batch takes each group of GROUP keys in three
 * loops:
 *   1. list the cache lines each key's resolution reads first (Fingerprint.touchLines: a hash and
 *      no load; the home slot's line, and the next when the slot's first state word lies on it:
 *      one line per key in the narrow table of a token bucket, whose 16-byte slots never straddle);
 *   2. the touch: one load per listed line, and nothing else;
 *   3. each key in batch order through the single path itself (SlotSteps.acquire: read the view,
 *      resolve, decide, retry when a rotation moved the key), now mostly from the cache.
 * Loops 1 and 2 decide nothing and write nothing: a key that is not at home, or whose table
 * changes, is only a miss that was not saved.
 *
 * Why the touch is a loop of bare loads. Loads retire in order: while the oldest touch load waits
 * for memory, the core takes later instructions only until its reorder buffer (a few hundred
 * entries) or its load queue (a few dozen loads) is full. So the misses in flight are those of as
 * many keys as fit in both: with the hash in the touch loop, about twenty instructions per key, a
 * dozen keys; with three loads per key, as many keys as fit in a third of the load queue. Hashing
 * first and then loading each line once puts the whole group's misses in flight. Measured in one
 * process, alternating 200 ms slices on the same 1M-key table:
 *   - hash then load, three loads per key, against hash-and-load in one loop: +29%, +33% and +37%
 *     in batches of 16, 64 and 256 keys; 2% slower on a table that fits in the cache;
 *   - one load per line, against three loads per key: +24% to +27% (batches of 64);
 *   - groups of 64 against 32: +5% (batches of 64 and 256); groups of 128 were +6% (within the
 *     spread of 64's), groups of 24 and 48 the same as 32;
 *   - this loop in groups of 64 against three loads per key in groups of 32, on a table that fits
 *     in the cache: +7%.
 *
 * Group size. 64 keys, about 80 lines in a narrow table (5 KB) with the probes' next slots, stay
 * in L1 until decided.
 *
 * Exactness. Each key is acquired by the single path, in batch order, on the calling thread: the
 * batch decides exactly as the same keys acquired one after another at the same instant would,
 * duplicates, claims, rotations and full tables included. (Resolving each key in the view read
 * before its group would not: once one key's decision starts a rotation, the group's later keys
 * would be resolved, and claimed, in the table being retired. BatchAcquirePropertyTest caught that
 * in a draft, on batches longer than a group.)
 *
 * Thread-safe: the only state is a per-thread scratch (the group's line addresses, and a sink for
 * the touch loads so that the JIT cannot drop them), used by one call at a time on its thread (a
 * batch never calls back into user code). The addresses are loaded only while the table they came
 * from is in hand (t), inside the call that holds the key space open.
 */
/** The engine's batch acquire: touches a group of keys' slots, then decides each in order; thread-safe, allocation-free. */
final class BatchAcquire {
    /** Keys touched before the first of them is decided: the whole group's misses in flight, all still in L1 when decided. */
    static final int GROUP = 64;
    /** Per thread: the scratch of the touch loops. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's scratch: a group's line addresses, and where the touch loads are consumed so that they are kept. */
    private static final class Scratch {
        final long[] lines = new long[2 * GROUP];
        long sink;
    }

    private BatchAcquire() {
    }

    /** The engine's {@link dev.limiter.RateLimiter#tryAcquireBatch(long[], int, int, long, long, boolean[])}. */
    static int acquire(OffHeapLimiter limiter, long[] keys, int from, int to, long permits, long now,
                       boolean[] granted) {
        KeySpace s = limiter.open();
        limiter.guard().plainOnly();
        BatchArguments.check(keys, from, to, permits, granted);
        if (limiter.unsatisfiableForEveryKey(permits)) {
            Arrays.fill(granted, from, to, false);           // as each single acquire: refused, nothing resolved
            return 0;
        }
        SlotSteps steps = limiter.steps();
        Scratch scratch = SCRATCH.get();
        long[] lines = scratch.lines;
        int count = 0;
        for (int start = from, end; start < to; start = end) {
            end = to - start > GROUP ? start + GROUP : to;  // no overflow near the largest array
            KeyTable t = s.view().table();
            int n = 0;
            for (int i = start; i < end; i++) {              // hashes only: runs ahead of every miss
                n = Fingerprint.touchLines(t, keys[i], lines, n);
            }
            long touched = 0;
            for (int j = 0; j < n; j++) {                    // bare loads: the whole group's misses in flight
                touched ^= OffHeapWords.loadAcquire(lines[j]);
            }
            scratch.sink = touched;
            for (int i = start; i < end; i++) {              // the single path, key by key, now mostly from the cache
                boolean ok = steps.acquire(s, keys[i], permits, now, null);
                granted[i] = ok;
                count += ok ? 1 : 0;
            }
        }
        return count;
    }
}
