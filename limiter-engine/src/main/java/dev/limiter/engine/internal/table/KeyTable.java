package dev.limiter.engine.internal.table;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/*
 * An open-addressed, linear-probing table of keys in one direct (off-heap) buffer, with each
 * key's algorithm state inline in its slot so that an acquire touches one slot.
 *
 * Two layouts (all words 8-byte aligned). WIDE holds any key as a 128-bit fingerprint (claim,
 * publish), both halves non-zero (see Fingerprint); slotBytes = 16 + 8 * stateWords. NARROW holds
 * 64-bit keys only, the key itself in one word (NarrowSlots); slotBytes = 8 + 8 * stateWords, so a
 * one-word state fills 16 bytes, four slots to a cache line and none straddling one.
 *
 *   WIDE    0        8        16                  slotBytes     NARROW  0        8          slotBytes
 *           +--------+--------+------- ... -------+                     +--------+-- ... ---+
 *           | claim  | publish| state words 0..k-1|                     | key    | state    |
 *           +--------+--------+------- ... -------+                     +--------+-- ... ---+
 *
 * An all-zero slot is empty; all-zero state means "never seen" to every kernel. Both layouts take
 * (claim, publish) at this class's boundary, so rotations, handles and waiters name keys one way;
 * a narrow table turns a 64-bit key's fingerprint back into the key (NarrowSlots.longKey).
 *
 * Claiming (WIDE; WideSlots), lock-free. A thread looking for key (c, p) probes from home(c, p):
 *   - claim word 0: the slot is empty. If the table has room, CAS claim 0 -> c; on success, or if
 *     the CAS lost to an equal c, fall through to the publish step; otherwise re-read the slot.
 *   - claim word == c: read publish. If 0, the claimer has not published yet: help by CAS
 *     publish 0 -> p. Whoever wins owns the slot; if publish now equals p this is our key,
 *     otherwise another key with the same claim half owns it and probing goes on.
 *   - claim word != c: another key; probe the next slot.
 * find reads the home slot first: a key published there (most keys) is found by two unchecked loads
 * (OffHeapWords) in a method small enough for the JIT to inline; anything else takes the loop above.
 * Nobody ever waits for another thread, and nothing in a table is ever cleared or reused: a
 * published slot never changes owner, so a slot offset found once names the same key for the
 * table's life. Idle keys leave by rotation into a new table (TableRotation), which retires this
 * one: its empty slots get claim FROZEN_CLAIM and its unpublished ones publish FROZEN_PUBLISH
 * (fingerprints never have those halves), and a find that meets either returns RETIRED.
 *
 * Memory ordering. claim and publish are written only by CAS (full fence) and read with
 * getLongVolatile (acquire), so a thread that sees a published key also sees every state write
 * ordered before it. State words are the kernels' business (see Kernel).
 *
 * Capacity. slots = max(capacity + 64, ceil(capacity / 0.8)): the probe sequence stays short
 * (load <= 0.8) and the table can never be completely full, so a probe always ends (a narrow
 * table's two escape slots come out of that count). The key
 * count is checked before a claim; racing claimers may overshoot the capacity by at most the
 * number of racing threads, which the 64 spare slots absorb. A rotation's copies are counted by a
 * reservation made up front (reserve, claimForCopy, release). The whole table must fit in 2 GiB.
 *
 * Lifetime. The buffer is direct memory freed by the JVM's cleaner at the GC after the table is dropped (the
 * limiter's close); a thread still inside an acquire keeps it reachable, so freed memory is never touched.
 */
/** The off-heap key table: lock-free claim and lookup of keys with inline state, in one of two layouts. */
public final class KeyTable {
    /** How a table's slots hold their keys. */
    public enum Layout {
        /** Any key, as a 128-bit fingerprint in two words. */
        WIDE,
        /** 64-bit keys only, the key in one word: 8 bytes less per slot. */
        NARROW
    }

    /** Offset of the claim half of the key within a slot. */
    public static final int CLAIM_OFFSET = 0;
    /** Offset of the publish half of the key within a slot. */
    public static final int PUBLISH_OFFSET = 8;
    /** Offset of the first state word within a slot. */
    public static final int STATE_OFFSET = 16;
    /** Returned by {@link #find} when the key is new and the table is full. */
    public static final int FULL = -1;
    /** Returned by {@link #find} when a rotation retired the table and the key is not in it. */
    public static final int RETIRED = -2;
    /** The fill ratio the table is sized for. */
    public static final double LOAD_FACTOR = 0.8;
    /** The claim word of an empty slot barred by a rotation; no fingerprint has this claim half. */
    public static final long FROZEN_CLAIM = 0x46524F5A454E4331L;     // "FROZENC1"
    /** The publish word of an unpublished slot barred by a rotation; no fingerprint has this half. */
    public static final long FROZEN_PUBLISH = 0x46524F5A454E5031L;   // "FROZENP1"

    final UnsafeBuffer buffer;
    final int slotBytes;
    final int stateOffset;
    final boolean narrow;
    /** Slots a probe walks (wrapping around); a narrow table has its two escape slots after them. */
    final long probeSlots;
    private final long slots;
    private final long capacity;
    private final long trigger;
    private final AtomicLong size = new AtomicLong();
    private boolean crossed;   // set plainly by the claim that reaches the trigger: a hint, read racily

    /** A wide table that never calls for a rotation; see {@link #KeyTable(long, int, long, Layout)}. */
    public KeyTable(long capacity, int stateWords) {
        this(capacity, stateWords, Long.MAX_VALUE, Layout.WIDE);
    }

    /**
     * @param capacity the most keys the table must hold
     * @param stateWords 8-byte state words per key
     * @param trigger the key count at which {@link #crossedTrigger()} turns true (a rotation is due)
     * @param layout how slots hold keys: a {@link Layout#NARROW} table takes 64-bit keys only
     * @throws IllegalArgumentException when the table would not fit in 2 GiB or capacity &lt; 1
     */
    public KeyTable(long capacity, int stateWords, long trigger, Layout layout) {
        long bytes = bytesFor(capacity, stateWords, layout);
        this.capacity = capacity;
        this.trigger = trigger;
        this.narrow = layout == Layout.NARROW;
        this.stateOffset = narrow ? NarrowSlots.STATE_OFFSET : STATE_OFFSET;
        this.slotBytes = stateOffset + 8 * stateWords;
        this.slots = slotsFor(capacity);
        this.probeSlots = narrow ? slots - NarrowSlots.ESCAPES : slots;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) bytes, 64));
    }

    /**
     * @return the bytes a table of {@code capacity} keys with {@code stateWords} words per key
     *     allocates in {@code layout}; checks the sizes without allocating anything
     * @throws IllegalArgumentException when capacity &lt; 1 or the table would not fit in 2 GiB
     */
    public static long bytesFor(long capacity, int stateWords, Layout layout) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        long slotBytes = (layout == Layout.NARROW ? NarrowSlots.STATE_OFFSET : STATE_OFFSET) + 8L * stateWords;
        long limit = Integer.MAX_VALUE - 64;
        // compare before multiplying: capacity up to Long.MAX_VALUE must not overflow into a small size
        if (capacity > limit / slotBytes) {
            throw new IllegalArgumentException("a table of " + capacity + " keys with " + slotBytes
                    + "-byte slots does not fit in 2 GiB");
        }
        long bytes = slotsFor(capacity) * slotBytes;
        if (bytes > limit) {
            throw new IllegalArgumentException("a table of " + capacity + " keys with " + slotBytes
                    + "-byte slots needs " + bytes + " bytes; the limit is 2 GiB");
        }
        return (bytes + 63) & ~63L;
    }

    private static long slotsFor(long capacity) {
        return Math.max(capacity + 64, (long) Math.ceil(capacity / LOAD_FACTOR));
    }

    /** @return the buffer holding every slot */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    /** @return bytes per slot */
    public int slotBytes() {
        return slotBytes;
    }

    /** @return slots allocated (a narrow table's escape slots included) */
    public long slots() {
        return slots;
    }

    /** @return the offset of a slot's first state word from the slot's start */
    public int stateOffset() {
        return stateOffset;
    }

    /** @return whether this table holds 64-bit keys only ({@link Layout#NARROW}) */
    public boolean narrow() {
        return narrow;
    }

    /** @return off-heap bytes allocated */
    public long bytesAllocated() {
        return buffer.capacity();
    }

    /** @return the most keys the table holds */
    public long capacity() {
        return capacity;
    }

    /** @return the keys currently held */
    public long size() {
        return size.get();
    }

    /** @return key (claim, publish)'s home hash (multiply-xorshift): a slot's words tell where its key probes from */
    static long home(long claim, long publish) {
        long h = (publish ^ Long.rotateLeft(claim, 32)) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    long start(long claim, long publish) {
        return Math.multiplyHigh(home(claim, publish) & Long.MAX_VALUE, probeSlots << 1); // fast range reduction
    }

    /** @return the address of wide key (claim, publish)'s home slot, where {@link #find} looks first; reads nothing */
    public long homeAddress(long claim, long publish) {
        return buffer.addressOffset() + start(claim, publish) * slotBytes;
    }

    /**
     * Finds the slot of key (claim, publish), claiming one if the key is new.
     *
     * @param claim non-zero claim half, never {@link #FROZEN_CLAIM}
     * @param publish non-zero publish half, never {@link #FROZEN_PUBLISH}
     * @return the byte offset of the key's first state word, {@link #FULL}, or {@link #RETIRED}
     *     when this table has been retired by a rotation and the key is not in it
     * @throws IllegalArgumentException in a narrow table, for a key that is not a 64-bit key's fingerprint
     */
    public int find(long claim, long publish) {
        return narrow ? NarrowSlots.find(this, claim, publish) : WideSlots.find(this, claim, publish);
    }

    /** Finds the slot of a key without claiming. @return the state offset, or -1 when the key is absent */
    public int lookup(long claim, long publish) {
        return narrow ? NarrowSlots.lookup(this, claim, publish) : WideSlots.lookup(this, claim, publish);
    }

    // ------------------------------------------------------------------ rotation (see TableRotation)

    /** @return the claim half of the key whose state starts at {@code stateOffset} */
    public long claimAt(int stateOffset) {
        return narrow ? NarrowSlots.claimAt(this, stateOffset)
                : buffer.getLongVolatile(stateOffset - STATE_OFFSET + CLAIM_OFFSET);
    }

    /** @return the publish half of the key whose state starts at {@code stateOffset} */
    public long publishAt(int stateOffset) {
        return narrow ? NarrowSlots.publishAt(this, stateOffset)
                : buffer.getLongVolatile(stateOffset - STATE_OFFSET + PUBLISH_OFFSET);
    }

    /** @return the index of the slot whose state starts at {@code stateOffset} */
    public int indexOf(int stateOffset) {
        return (stateOffset - this.stateOffset) / slotBytes;
    }

    /**
     * In a retired table: finds key (claim, publish), or makes sure it can never be claimed here
     * from now on by freezing the empty or unpublished slot where it would go.
     *
     * @return the key's state offset, or -1 when it is not here (and never will be)
     */
    public int findOrBar(long claim, long publish) {
        return narrow ? NarrowSlots.findOrBar(this, claim, publish) : WideSlots.findOrBar(this, claim, publish);
    }

    /** In a retired table: bars slot {@code index} if empty or unpublished. @return its key's state offset, or -1 */
    public int barOrKey(long index) {
        return narrow ? NarrowSlots.barOrKey(this, index) : WideSlots.barOrKey(this, index);
    }

    /**
     * In a table being filled by a rotation: finds or claims key (claim, publish) for a copy. Space
     * for every key of the retired table was reserved up front (see {@link #reserve}), so a copy
     * never meets the claim limit; when the key was already here (claimed and counted by an
     * acquirer) the copy's reservation is given back.
     *
     * @return the key's state offset
     */
    public int claimForCopy(long claim, long publish) {
        return narrow ? NarrowSlots.claimForCopy(this, claim, publish) : WideSlots.claimForCopy(this, claim, publish);
    }

    /** Reserves room for {@code keys} copies before a rotation starts filling this table. */
    public void reserve(long keys) {
        size.addAndGet(keys);
    }

    /** Gives back one reservation: a key of the retired table that was evicted instead of copied. */
    public void release() {
        size.decrementAndGet();
    }

    /** @return whether the key count has reached the capacity: a new key may not be claimed now */
    boolean full() {
        return size.get() >= capacity;
    }

    /** Counts a key just claimed (published) by an acquirer, and notes when it reaches the trigger. */
    void counted() {
        if (size.incrementAndGet() >= trigger) {
            crossed = true;
        }
    }

    /** @return whether a claim has taken the key count to the rotation trigger since the table was made */
    public boolean crossedTrigger() {
        return crossed;
    }

    /** @return whether the key count is at the rotation trigger now */
    public boolean atTrigger() {
        return size.get() >= trigger;
    }

    static long next(long i, long n) {
        return i + 1 == n ? 0 : i + 1;
    }
}
