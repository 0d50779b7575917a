package dev.limiter.engine;

import dev.limiter.internal.BatchArguments;
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
 *   1. the address of every key's home slot (Fingerprint.touchAddress: a hash, no load);
 *   2. the touch: loads from each address (Fingerprint.touchAt: in a wide table the claim word and
 *      the first state word, which lie on two lines when the slot straddles one; in a narrow table
 *      the key word, the last state word and the next slot's key word, where a displaced key's
 *      probe goes, on the next line when the home slot ends one), a few instructions per load;
 *   3. each key in batch order through the single path itself (SlotSteps.acquire: read the view,
 *      resolve, decide, retry when a rotation moved the key), now mostly from the cache.
 * Loops 1 and 2 decide nothing and write nothing: a key that is not at home, or whose table
 * changes, is only a miss that was not saved.
 *
 * Why the hash has a loop of its own. Loads retire in order: while the oldest touch load waits for
 * memory, the core takes later instructions only until its reorder buffer is full (a few hundred
 * entries). With the hash in the touch loop, about twenty instructions per key, the buffer holds a
 * dozen keys' loads, and the group's misses go in waves; with the addresses computed first, the
 * touch loop is about four instructions per load and the whole group's misses are in flight at
 * once. In one process, alternating 200 ms slices on the same 1M-key table, the two-loop touch ran
 * 29%, 33% and 37% faster than the one-loop touch in batches of 16, 64 and 256 keys, and 2% slower
 * on a table that fits in the cache.
 *
 * Group size. 32 keys (up to about 40 lines with the next-slot loads) stay in L1 until decided.
 * With the one-loop touch, groups of 8 ran 6% slower than 32, and 64 or 128 no faster; with the
 * two-loop touch, 16 ran 3% slower than 32 and 64 the same.
 *
 * Exactness. Each key is acquired by the single path, in batch order, on the calling thread: the
 * batch decides exactly as the same keys acquired one after another at the same instant would,
 * duplicates, claims, rotations and full tables included. (Resolving each key in the view read
 * before its group would not: once one key's decision starts a rotation, the group's later keys
 * would be resolved, and claimed, in the table being retired. BatchAcquirePropertyTest caught that
 * in a draft, on batches longer than a group.)
 *
 * Thread-safe: the only state is a per-thread scratch (the group's home addresses, and a sink for
 * the touch loads so that the JIT cannot drop them), used by one call at a time on its thread (a
 * batch never calls back into user code).
 */
/** The engine's batch acquire: touches a group of keys' slots, then decides each in order; thread-safe, allocation-free. */
final class BatchAcquire {
    /** Keys touched before the first of them is decided: enough misses in flight, all still in L1 when decided. */
    static final int GROUP = 32;
    /** Per thread: the scratch of the touch loops. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's scratch: a group's home addresses, and where the touch loads are consumed so that they are kept. */
    private static final class Scratch {
        final long[] homes = new long[GROUP];
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
        long[] homes = scratch.homes;
        int count = 0;
        for (int start = from, end; start < to; start = end) {
            end = to - start > GROUP ? start + GROUP : to;  // no overflow near the largest array
            KeyTable t = s.view().table();
            for (int i = start; i < end; i++) {              // hashes only: runs ahead of every miss
                homes[i - start] = Fingerprint.touchAddress(t, keys[i]);
            }
            long touched = 0;
            for (int j = 0, n = end - start; j < n; j++) {   // a few instructions per load: the group's misses in flight
                touched ^= Fingerprint.touchAt(t, homes[j]);
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
