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
 * before it retires: one miss per key, end to end. A batch takes each group of GROUP keys in two
 * passes: first touch every key's home slot (Fingerprint.touch: a hash and two or three loads: in
 * a wide table the claim word and the first state word, which lie on two lines when the slot
 * straddles one; in a narrow table the key word, the last state word and the next slot's key word,
 * where a displaced key's probe goes, on the next line when the home slot ends one), a few
 * instructions per key, so that the whole group's misses are in flight at once; then acquire each
 * key in batch order through the single path itself (SlotSteps.acquire: read the view, resolve,
 * decide, retry when a rotation moved the key), now mostly from the cache. The touch pass decides
 * nothing and writes nothing: a key that is not at home, or whose table changes, is only a miss
 * that was not saved.
 *
 * Group size. 32 keys (up to about 40 lines with the next-slot loads) stay in L1 until decided. In
 * one process, alternating 200 ms slices on the same 1M-key table, groups of 32 decided key by key
 * ran about 10% faster than groups of 16 resolved in a pass of their own and then decided; groups of
 * 8 ran 6% slower, and groups of 64 or 128 no faster than 32.
 *
 * Exactness. Each key is acquired by the single path, in batch order, on the calling thread: the
 * batch decides exactly as the same keys acquired one after another at the same instant would,
 * duplicates, claims, rotations and full tables included. (Resolving each key in the view read
 * before its group would not: once one key's decision starts a rotation, the group's later keys
 * would be resolved, and claimed, in the table being retired. BatchAcquirePropertyTest caught that
 * in a draft of this change, on batches longer than a group.)
 *
 * Thread-safe: the only state is a per-thread sink for the touch pass's loads (so that the JIT
 * cannot drop them), written by one call at a time on its thread (a batch never calls back into
 * user code).
 */
/** The engine's batch acquire: touches a group of keys' slots, then decides each in order; thread-safe, allocation-free. */
final class BatchAcquire {
    /** Keys touched before the first of them is decided: enough misses in flight, all still in L1 when decided. */
    static final int GROUP = 32;
    /** Per thread: where the touch pass's loads are consumed, so that they are kept. */
    private static final ThreadLocal<long[]> SINK = ThreadLocal.withInitial(() -> new long[1]);

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
        long[] sink = SINK.get();
        int count = 0;
        for (int start = from, end; start < to; start = end) {
            end = to - start > GROUP ? start + GROUP : to;  // no overflow near the largest array
            KeyTable t = s.view().table();
            long touched = 0;
            for (int i = start; i < end; i++) {              // a few instructions per key: every miss in flight
                touched ^= Fingerprint.touch(t, keys[i]);
            }
            sink[0] = touched;
            for (int i = start; i < end; i++) {              // the single path, key by key, now mostly from the cache
                boolean ok = steps.acquire(s, keys[i], permits, now, null);
                granted[i] = ok;
                count += ok ? 1 : 0;
            }
        }
        return count;
    }
}
