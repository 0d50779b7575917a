package dev.limiter.engine;

import dev.limiter.internal.BatchArguments;
import dev.limiter.engine.internal.table.Fingerprint;
import dev.limiter.engine.internal.table.TableView;

import java.util.Arrays;

/*
 * A batch acquire that touches every slot of a group before it writes any.
 *
 * Idea. A single acquire on a table larger than the caches is one dependent chain: hash, load the
 * slot (a miss), decide, CAS. The CAS is a full fence, so the next acquire's miss cannot start
 * before it retires: one miss per key, end to end. A batch takes each group of GROUP keys in three
 * passes: first touch every key's home slot (Fingerprint.touch: a hash and two or three loads: in
 * a wide table the claim word and the first state word, which lie on two lines when the slot
 * straddles one; in a narrow table the key word, the last state word and the next slot's key word,
 * where a displaced key's probe goes, on the next line when the home slot ends one), a few
 * instructions per key, so that the whole group's misses fit in the CPU's out-of-order window and
 * are in flight at once; then resolve every key (hash and probe: KeySpace.find, claiming new keys
 * exactly as the single path does first), now mostly from the cache; then decide each key in order
 * on its resolved slot through the single path's own step (SlotSteps.acquireIn). The touch pass
 * decides nothing and writes nothing: a key that is not at home, or whose table changes, is only a
 * miss that was not saved.
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
 * Thread-safe: the only state is a per-thread scratch array of resolved offsets (and the touch
 * pass's sink, kept so that the JIT cannot drop its loads), used by one call
 * at a time on its thread (a batch never calls back into user code).
 */
/** The engine's batch acquire: resolves a group of keys, then decides each in order; thread-safe, allocation-free. */
final class BatchAcquire {
    /** Keys resolved before the first of them is decided: enough misses in flight, all still in L1 when decided. */
    static final int GROUP = 16;
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[GROUP + 1]);

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
            long touched = 0;
            for (int i = start; i < end; i++) {              // a few instructions per key: every miss in flight
                touched ^= Fingerprint.touch(v.table(), keys[i]);
            }
            offsets[GROUP] = (int) touched;                  // consumed, so the loads are kept
            for (int i = start; i < end; i++) {
                offsets[i - start] = s.find(v, keys[i]);
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
