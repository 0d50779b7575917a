package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.store.OffHeapSlots;
import dev.limiter.engine.internal.table.Fingerprint;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.PairKeys;
import dev.limiter.engine.internal.table.TableRotation;
import dev.limiter.engine.internal.table.TableView;
import dev.limiter.engine.internal.time.StalenessFloor;

import java.util.concurrent.atomic.AtomicLong;

/*
 * One limiter's keys: its current key table (a volatile TableView), the rotations that evict idle
 * keys from it (TableRotation has the protocol), and a cardinality limit's member table.
 *
 * Resolution. A call reads the view once, finds (or claims) its key's slot in that view's table and
 * uses only that view's store; prepare() then helps a running rotation by a small chunk and settles the
 * key if its word 0 reads 0, so no decision runs on a slot whose state still lives in the retired
 * table. A find that meets a retired table (RETIRED) or a store step that meets a frozen word
 * (Kernel.frozenWord) reads the view again. Offsets are only meaningful with their table: handles,
 * leases and composite checks keep (table, offset) and relocate a key by the fingerprint its old
 * slot still holds.
 *
 * When rotations run (eviction on: every algorithm whose states decay, and no per-key override):
 *   - a claim that takes the table's key count to the trigger (1.5 C) starts one at the next call
 *     that resolves a key in that table;
 *   - the engine's periodic sweep (ticker thread, or OffHeapEngine.runTimers with a ManualClock)
 *     starts one at the trigger and does chunks of a running one;
 *   - a new key that finds the table full (2 C) starts one, or helps the running one, to the end,
 *     and tries once more; only then is the table reported full.
 * A rotation that ends with the table still at the trigger (full of live keys) holds the next one
 * back until the earliest decay time among the keys it copied, which is the honest retry-after of a
 * full-table denial. So a key that has decayed by W leaves the table at the first rotation that
 * starts after it decayed, and rotations start at least every 0.5 C fresh claims.
 *
 * Thread-safe: the view is a volatile reference to an immutable object; starting and finishing a
 * rotation take this object's lock (rare; never on the acquire path of a key already present), and
 * installing a per-key override takes it too, after finishing any rotation, so that no rotation
 * moves a key with an override (overrides are keyed by offset).
 */
/** One limiter's key tables and their rotations; see the comment above. Thread-safe. */
final class KeySpace {
    /** A table calls for a rotation once its fresh claims reach this fraction of its claim limit. */
    static final double TRIGGER = 0.75;

    private final long capacity;
    private final long claimLimit;
    private final int stateWords;
    private final Kernel kernel;
    private final boolean evicts;
    private final KeyTable.Layout layout;
    private final StalenessFloor floor;
    private final Clock clock;
    private final KeyOverrides overrides;
    private final KeyTable members;
    private final OffHeapSlots memberSlots;
    private final long seed;
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private volatile TableView view;
    /** Written under this object's lock, read without it by prepare() before it takes the lock. */
    private volatile long nextRotationAt = Long.MIN_VALUE;

    KeySpace(long capacity, Kernel kernel, boolean withMembers, long seed, boolean evicts, KeyTable.Layout layout,
             StalenessFloor floor, Clock clock, KeyOverrides overrides) {
        this.capacity = capacity;
        this.claimLimit = claimLimit(capacity, evicts);
        this.stateWords = kernel.stateWords();
        this.kernel = kernel;
        this.evicts = evicts;
        this.layout = layout;
        this.floor = floor;
        this.clock = clock;
        this.overrides = overrides;
        this.view = new TableView(newTable());
        this.members = withMembers ? new KeyTable(capacity, 1) : null;
        this.memberSlots = withMembers ? new OffHeapSlots(members.buffer()) : null;
        this.seed = seed;
    }

    /** @return the fresh claims a table takes: C, or 2 C + 64 when keys are evicted (see TableRotation) */
    static long claimLimit(long capacity, boolean evicts) {
        if (!evicts) {
            return capacity;
        }
        return capacity > (Long.MAX_VALUE - 64) / 2 ? Long.MAX_VALUE : 2 * capacity + 64;   // bytesFor refuses it
    }

    private KeyTable newTable() {
        return new KeyTable(claimLimit, stateWords, evicts ? (long) (claimLimit * TRIGGER) : Long.MAX_VALUE, layout);
    }

    /** Checks the sizes of the tables a limiter would allocate, allocating nothing. */
    static void checkSizes(long capacity, int stateWords, boolean withMembers, boolean evicts, KeyTable.Layout layout) {
        KeyTable.bytesFor(claimLimit(capacity, evicts), stateWords, layout);
        if (withMembers) {
            KeyTable.bytesFor(capacity, 1, KeyTable.Layout.WIDE);
        }
    }

    /** @return the view to resolve keys against now */
    TableView view() {
        return view;
    }

    OffHeapSlots memberSlots() {
        return memberSlots;
    }

    int find(TableView v, long key) {
        return Fingerprint.find(v.table(), key);
    }

    int find(TableView v, CharSequence key) {
        return Fingerprint.find(v.table(), requireWide(key), seed);
    }

    int find(TableView v, byte[] key) {
        return Fingerprint.find(v.table(), requireWide(key), seed);
    }

    /** @return {@code key}, once checked to be one this limiter's tables take: any key but a 64-bit one needs WIDE */
    private <K> K requireWide(K key) {
        if (layout == KeyTable.Layout.NARROW) {
            throw new UnsupportedOperationException("this limiter takes 64-bit keys only (OffHeapEngine.Builder"
                    + ".longKeysOnly); a " + (key instanceof byte[] ? "byte[]" : "CharSequence") + " key was given");
        }
        return key;
    }

    int lookup(long key) {
        return Fingerprint.lookup(view.table(), key);
    }

    int lookup(CharSequence key) {
        return Fingerprint.lookup(view.table(), requireWide(key), seed);
    }

    int findMember(long parent, long member) {
        return PairKeys.find(members, parent, member);
    }

    int findMember(CharSequence parent, CharSequence member) {
        return PairKeys.find(members, requireWide(parent), member, seed);
    }

    int remapped(CharSequence parent, CharSequence member) {
        return PairKeys.remapped(parent, member, seed);
    }

    /**
     * @return the offset in {@code v}'s table of the key whose slot was {@code offset} in
     *     {@code table}: the same offset when the table is still current, else found (or claimed) again
     *     by the fingerprint the old slot holds; {@link KeyTable#FULL} or {@link KeyTable#RETIRED} as find
     */
    static int relocate(TableView v, KeyTable table, int offset) {
        return table == v.table() ? offset : v.table().find(table.claimAt(offset), table.publishAt(offset));
    }

    /**
     * Makes the slot at {@code offset} of {@code v}'s table ready for a decision: helps a running
     * rotation by one chunk and settles the key from the retired table if its word 0 reads 0; starts
     * a rotation when the table has reached its trigger. Allocation-free unless it starts a rotation.
     */
    void prepare(TableView v, int offset) {
        if (v.rotating() | v.table().crossedTrigger()) {        // one branch: both are plain flags
            prepareRare(v, offset);
        }
    }

    private void prepareRare(TableView v, int offset) {
        if (!v.rotating()) {
            if (v.table().crossedTrigger() && evicts && clock.nanoTime() >= nextRotationAt) {
                startRotation(v);
            }
            return;
        }
        TableRotation r = v.rotation();
        if (r.help(TableRotation.SMALL_CHUNK)) {
            finish(v);
        }
        if (v.slots().wordAcquire(offset, 0) == 0) {
            r.settle(offset);
        }
    }

    /**
     * A new key found {@code v}'s table full: starts a rotation (or joins the running one) and helps
     * it to the end.
     *
     * @return whether the key should be looked for again (room may have been made, or the view changed)
     */
    boolean makeRoom(TableView v) {
        if (!evicts) {
            return false;
        }
        TableView rotating = v.rotation() != null ? v : startRotation(v);
        if (rotating == null) {
            return view != v;
        }
        TableRotation r = rotating.rotation();
        while (!r.allTaken()) {
            if (r.helpOnce()) {
                finish(rotating);
            }
        }
        for (int spins = 0; !r.finished() && spins < 1_000; spins++) {
            Thread.onSpinWait();                             // other helpers are finishing their last chunks
        }
        return true;
    }

    /** The engine's periodic sweep: starts a due rotation and does up to {@code chunks} chunks of it. */
    int sweep(int chunks) {
        TableView v = view;
        if (!evicts) {
            return 0;
        }
        if (v.rotation() == null) {
            if (!v.table().atTrigger()) {
                return 0;
            }
            v = startRotation(v);
            if (v == null) {
                return 0;
            }
        }
        TableRotation r = v.rotation();
        int work = 0;
        for (; work < chunks && !r.allTaken(); work++) {
            if (r.helpOnce()) {
                finish(v);
            }
        }
        return work;
    }

    /** Runs a rotation now, to its end, whatever the trigger: operators and tests. */
    synchronized long rotateNow() {
        finishRotation();
        long before = evicted.get();
        nextRotationAt = Long.MIN_VALUE;
        TableView v = startRotation(view);
        if (v != null) {
            finishRotation();
        }
        return evicted.get() - before;
    }

    /** Helps a running rotation to its end, on the caller's thread. */
    synchronized void finishRotation() {
        TableView v = view;
        TableRotation r = v.rotation();
        if (r != null) {
            while (!r.allTaken()) {
                if (r.helpOnce()) {
                    finish(v);
                }
            }
            while (!r.finished()) {
                Thread.onSpinWait();                         // another helper's last chunk
            }
            finish(v);
        }
    }

    /** @return the view the rotation runs in, or null when none may start now */
    private synchronized TableView startRotation(TableView v) {
        TableView current = view;
        if (current != v || current.rotation() != null) {
            return current.rotation() != null ? current : null;
        }
        if (!overrides.none()) {
            return null;                                     // overrides are keyed by offset: keys must not move
        }
        long now = clock.nanoTime();
        if (now < nextRotationAt) {
            return null;                                     // the last rotation found only live keys
        }
        long mark = floor.raiseTo(now);                      // W first: before any key is frozen
        TableView next = TableRotation.start(current, newTable(), kernel, mark);
        view = next;
        rotations.incrementAndGet();
        return next;
    }

    private synchronized void finish(TableView v) {
        if (view != v) {
            return;
        }
        TableRotation r = v.rotation();
        view = v.settled();
        evicted.addAndGet(r.evicted());
        nextRotationAt = v.table().atTrigger() ? r.earliestDecay() : Long.MIN_VALUE;
    }

    /**
     * @return nanoseconds until a rotation can next free a slot for a new key: until the earliest
     *     decay among the keys the last rotation kept, when it found the table full of live keys;
     *     {@link Decision#NEVER} when none of them decays on its own; 1 when a rotation may run now
     */
    long retryAfterFull(long now) {
        if (!evicts) {
            return 0L;
        }
        long at = nextRotationAt;
        if (at == Long.MAX_VALUE) {
            return Decision.NEVER;
        }
        return at > now ? at - now : 1L;
    }

    /** @return keys in the current table (live, and decayed ones not yet evicted) */
    long size() {
        return view.table().size();
    }

    /** @return the most live keys this limiter holds (its configured capacity) */
    long capacity() {
        return capacity;
    }

    /** @return keys evicted so far, by finished rotations */
    long evictions() {
        return evicted.get();
    }

    /** @return rotations started so far */
    long rotations() {
        return rotations.get();
    }

    long bytesAllocated() {
        return view.table().bytesAllocated() + (members == null ? 0 : members.bytesAllocated());
    }
}
