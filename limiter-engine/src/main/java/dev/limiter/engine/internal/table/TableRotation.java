package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.store.OffHeapSlots;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Idle-key eviction by table rotation: a retired table's keys are frozen one by one; those whose
 * state has decayed by the eviction mark W are dropped (that is the eviction), the others are copied
 * into a fresh table. Nothing inside a table is ever cleared or reused, so the traps of deletion in
 * an open-addressed table (broken probe chains, two claimers of one tombstone, ABA on a reused slot)
 * cannot occur. See ../shared/EVICTION.md for the traps and the decision rule.
 *
 * The decision rule. Before a rotation starts, the limiter raises its StalenessFloor to W (a reading
 * of its clock), then publishes the view {to, rotation}. Every decision reads the floor after the
 * key's state word and acts at max(now, W). A state that decayed by W (Kernel.decayedBy) decides,
 * refunds and releases at every t >= W exactly as a key never seen, so dropping it changes nothing.
 *
 * Freezing. A key's word 0 is frozen by CAS head -> F, F = Kernel.frozenWord(), a value the kernel
 * never publishes. Every write to word 0 is a CAS from a value read before, so a late writer either
 * lands before the freeze (and the freezer sees its value) or fails and, seeing F, resolves the key
 * again in the current table. The freezer then stores the head it replaced in `frozen` (by slot
 * index, release); a thread that needs the value of a word someone else froze reads `frozen`
 * (acquire) and spins until the freezer's store lands - the only wait, one store long, and only on
 * a key met mid-freeze. Other state words (a sliding window's ring) are read after the freeze: a
 * late seal or refund there can only add counts or lose a refund, never grant more.
 *
 * Barring. An empty slot of the retired table gets claim FROZEN_CLAIM, an unpublished one publish
 * FROZEN_PUBLISH, so no key is claimed there any more (a claimer meeting them gets RETIRED and reads
 * the view again). A key absent from the retired table is barred where its probe ends (findOrBar):
 * it can never appear there later.
 *
 * Copying. A kept key is claimed in the new table (claimForCopy: its room was reserved when the
 * rotation started, so a copy never meets the claim limit) and installed by CAS 0 -> value, ring
 * words first, word 0 last. Word 0 of a new slot is written only by installs until someone has
 * settled the key (below), so the CAS 0 -> value is the one copy that counts; later installs fail.
 *
 * Settling. An acquirer that finds word 0 = 0 in the new table while a rotation is running first
 * settles the key: findOrBar in the retired table, and if the key is there, freeze and install it
 * (the same deterministic drop-or-copy choice as the sweep, from the same frozen value and W). Only
 * then does it decide, so no decision ever runs on a new slot while the key's state is live in the
 * retired one: never two live states for one key.
 *
 *   acquirer                          sweeper / helper                      retired slot   new slot
 *   --------                          ----------------                      ------------   --------
 *   view -> {to, rotation}            raise W; publish {to, rotation}          v              -
 *   find key in to: word 0 = 0        barOrKey(i); freeze: CAS v -> F          F              -
 *   settle: findOrBar; freeze (F:     frozen[i] = v (release)                  F              -
 *     read frozen[i], acquire)        decayed(v, W)? drop : claim + CAS 0->v   F           0 or v
 *   install CAS 0 -> v (fails if      done += chunk; the last helper           F              v
 *     the sweeper was first)            publishes {to, none}
 *   read W; decide at max(now, W); CAS word 0
 *
 * Memory ordering. Claim, publish and state words are read with acquire and written by CAS (a full
 * fence), as everywhere in the table. W is raised (CAS) before the view holding the rotation is
 * published (volatile store), and every decision reads the view, then the state word, then W, so a
 * decision on a new table's slot never acts before W. `frozen` entries are written once with
 * release after the freeze CAS and read with acquire. Counters are atomics and approximate while
 * helpers run.
 *
 * Work. Helpers take chunks of slots from an atomic cursor (CHUNK for the sweeper and for a caller
 * that found the table full, SMALL_CHUNK for an acquirer passing by); the helper whose chunk
 * completes the count publishes the settled view. Every step is idempotent, so any number of threads help
 * and none waits for another (except the one-store wait above).
 *
 * Sizing. A table takes fresh claims up to its capacity (2 C for a limiter of C live keys) and calls
 * for a rotation at 1.5 C. A rotation reserves room in the new table for every key of the old one
 * and gives a reservation back per eviction, so copies always fit, and fresh claims wait (FULL,
 * then help) until evictions have made room. With at most C keys live at W, the new table starts
 * with at most C copies and room for C fresh claims.
 */
/** One rotation of a limiter's key table: freeze, evict or copy, settle; lock-free helpers, see above. */
public final class TableRotation {
    /** Slots a sweeper, or a caller that found the table full, takes from the retired table at a time. */
    public static final int CHUNK = 256;
    /** Slots an acquirer that merely passes by helps with: a bounded few microseconds per acquire. */
    public static final int SMALL_CHUNK = 16;
    private static final VarHandle FROZEN = MethodHandles.arrayElementVarHandle(long[].class);

    private final KeyTable from;
    private final OffHeapSlots fromSlots;
    private final KeyTable to;
    private final OffHeapSlots toSlots;
    private final Kernel kernel;
    private final long mark;
    private final long frozenWord;
    private final int words;
    private final long[] frozen;
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong earliestDecay = new AtomicLong(Long.MAX_VALUE);

    private TableRotation(TableView view, KeyTable to, OffHeapSlots toSlots, Kernel kernel, long mark) {
        this.from = view.table();
        this.fromSlots = view.slots();
        this.to = to;
        this.toSlots = toSlots;
        this.kernel = kernel;
        this.mark = mark;
        this.frozenWord = kernel.frozenWord();
        this.words = kernel.stateWords();
        this.frozen = new long[(int) from.slots()];
        Arrays.fill(frozen, frozenWord);
    }

    /**
     * Starts rotating {@code view}'s table into {@code to}. The caller has raised the eviction mark
     * to {@code mark} already and publishes the returned view.
     *
     * @return the view to publish: {@code to}, filled by the new rotation
     */
    public static TableView start(TableView view, KeyTable to, Kernel kernel, long mark) {
        OffHeapSlots toSlots = new OffHeapSlots(to.buffer());
        to.reserve(view.table().size());
        return view.rotatingTo(to, toSlots, new TableRotation(view, to, toSlots, kernel, mark));
    }

    /** @return the eviction mark W this rotation drops decayed states by */
    public long mark() {
        return mark;
    }

    /** @return the retired table */
    public KeyTable from() {
        return from;
    }

    /**
     * Settles the key whose state starts at {@code toBase} in the new table: moves its state over
     * from the retired table (or drops it, or bars its absence) so that a decision may run there.
     * Idempotent; call it when word 0 of the new slot reads 0.
     */
    public void settle(int toBase) {
        int fromBase = from.findOrBar(to.claimAt(toBase), to.publishAt(toBase));
        if (fromBase >= 0) {
            install(toBase, freeze(fromBase), fromBase);
        }
    }

    /**
     * Does one chunk of {@link #CHUNK} slots of the sweep, if any is left.
     *
     * @return true for the one call that completes the rotation (it publishes the settled view)
     */
    public boolean helpOnce() {
        return help(CHUNK);
    }

    /**
     * Does one chunk of {@code slots} slots of the sweep, if any is left.
     *
     * @return true for the one call that completes the rotation (it publishes the settled view)
     */
    public boolean help(int slots) {
        final long n = from.slots();
        long first = cursor.getAndAdd(slots);
        if (first >= n) {
            return false;
        }
        long last = Math.min(n, first + slots);
        for (long i = first; i < last; i++) {
            sweep(i);
        }
        return done.addAndGet(last - first) == n;
    }

    /** @return whether every chunk has been handed out (helpers may still be finishing theirs) */
    public boolean allTaken() {
        return cursor.get() >= from.slots();
    }

    /** @return whether every slot of the retired table has been swept */
    public boolean finished() {
        return done.get() >= from.slots();
    }

    private void sweep(long index) {
        int fromBase = from.barOrKey(index);
        if (fromBase < 0) {
            return;
        }
        long head = freeze(fromBase);
        if (dropped(head, fromBase)) {
            to.release();
            evicted.incrementAndGet();
            return;
        }
        int toBase = to.claimForCopy(from.claimAt(fromBase), from.publishAt(fromBase));
        install(toBase, head, fromBase);
        copied.incrementAndGet();
        long decays = kernel.decaysAt(head, mark);
        for (long e = earliestDecay.get(); decays < e && !earliestDecay.compareAndSet(e, decays);) {
            e = earliestDecay.get();
        }
    }

    private boolean dropped(long head, int fromBase) {
        return head == 0 || kernel.decayedBy(fromSlots, fromBase, head, mark);
    }

    /** @return the head the key held when it was frozen (by this thread or another) */
    private long freeze(int fromBase) {
        int index = from.indexOf(fromBase);
        long head = fromSlots.freezeHead(kernel, fromBase);
        if (head != frozenWord) {
            FROZEN.setRelease(frozen, index, head);
            return head;
        }
        for (int spins = 0;; spins++) {
            long v = (long) FROZEN.getAcquire(frozen, index);
            if (v != frozenWord) {
                return v;
            }
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();                              // the freezer is between its CAS and its store
            }
        }
    }

    private void install(int toBase, long head, int fromBase) {
        if (dropped(head, fromBase)) {
            return;
        }
        for (int i = 1; i < words; i++) {
            long w = fromSlots.wordAcquire(fromBase, i);
            if (w != 0) {
                toSlots.install(toBase, i, w);
            }
        }
        toSlots.install(toBase, 0, head);
    }

    /** @return keys this rotation evicted so far */
    public long evicted() {
        return evicted.get();
    }

    /** @return keys this rotation copied so far */
    public long copied() {
        return copied.get();
    }

    /**
     * @return the earliest time at which a key this rotation copied may decay (Long.MAX_VALUE when
     *     none copied, or none decays on its own): no copied key frees a slot before it
     */
    public long earliestDecay() {
        return earliestDecay.get();
    }
}
