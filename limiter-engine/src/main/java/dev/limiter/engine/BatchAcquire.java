package dev.limiter.engine;

import dev.limiter.internal.BatchArguments;
import dev.limiter.engine.internal.table.TableView;

import java.util.Arrays;

/*
 * A batch acquire that touches every slot of a group before it writes any.
 *
 * Idea. A single acquire on a table larger than the caches is one dependent chain: hash, load the
 * slot (a miss), decide, CAS. The CAS is a full fence, so the next acquire's miss cannot start
 * before it retires: one miss per key, end to end. A batch splits each group of GROUP keys into two
 * passes: first resolve every key (hash and probe: KeySpace.find, claiming new keys exactly as the
 * single path does first), whose loads are independent from key to key, so the CPU's out-of-order
 * window has several misses in flight at once; then decide each key in order on its resolved slot,
 * now in the cache, through the single path's own step (SlotSteps.acquireIn).
 *
 * Exactness. Each decision is the single path's: the key's slot in a view read before the group,
 * then SlotSteps.acquireIn with the same retry rules. A resolution that went stale before its
 * decision (a rotation retired the table or froze the key; the table was FULL and room is made) is
 * exactly the single path's case of a thread delayed between find and step: acquireIn answers
 * AGAIN and the key is resolved again in the current view, tries counted as in SlotSteps.acquire.
 * Keys are decided in batch order, so a key that appears twice sees its first grant. What differs
 * from a loop of single acquires is only when a group's new keys are claimed (all before the
 * group's first decision); a claim is not a decision, and a claimed key that is never decided holds
 * the never-seen state, which decays at once and is evicted by the next rotation like any idle key.
 *
 * Thread-safe: the only state is a per-thread scratch array of resolved offsets, used by one call
 * at a time on its thread (a batch never calls back into user code).
 */
/** The engine's batch acquire: resolves a group of keys, then decides each in order; thread-safe, allocation-free. */
final class BatchAcquire {
    /** Keys resolved before the first of them is decided: enough misses in flight, all still in L1 when decided. */
    static final int GROUP = 16;
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[GROUP]);

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
        int[] offsets = OFFSETS.get();
        int count = 0;
        for (int start = from, end; start < to; start = end) {
            end = to - start > GROUP ? start + GROUP : to;  // no overflow near the largest array
            TableView v = s.view();
            for (int i = start; i < end; i++) {
                offsets[i - start] = s.find(v, keys[i]);     // independent loads: their misses overlap
            }
            for (int i = start; i < end; i++) {
                int r = steps.acquireIn(s, v, offsets[i - start], 0, permits, now, null);
                for (int tries = 1; r == SlotSteps.AGAIN; tries++) {
                    TableView w = s.view();                  // moved by a rotation, or room made: as SlotSteps.acquire
                    r = steps.acquireIn(s, w, s.find(w, keys[i]), tries, permits, now, null);
                }
                boolean ok = r == SlotSteps.YES;
                granted[i] = ok;
                count += ok ? 1 : 0;
            }
        }
        return count;
    }
}
