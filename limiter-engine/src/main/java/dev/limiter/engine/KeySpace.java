package dev.limiter.engine;

import dev.limiter.engine.internal.store.OffHeapSlots;
import dev.limiter.engine.internal.table.Fingerprint;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.PairKeys;

/**
 * One limiter's keys: its key table (and a cardinality limit's member table) with the stores over
 * them. {@code find} claims a slot for a new key; {@code lookup} never claims, so reads and operator
 * actions on unseen keys leave the table as it was. Immutable, so thread-safe; a limiter drops it on
 * close (see {@link OffHeapLimiter}).
 */
final class KeySpace {
    private final KeyTable table;
    private final OffHeapSlots slots;
    private final KeyTable members;
    private final OffHeapSlots memberSlots;
    private final long seed;

    KeySpace(long capacity, int stateWords, boolean withMembers, long seed) {
        this.table = new KeyTable(capacity, stateWords);
        this.slots = new OffHeapSlots(table.buffer());
        this.members = withMembers ? new KeyTable(capacity, 1) : null;
        this.memberSlots = withMembers ? new OffHeapSlots(members.buffer()) : null;
        this.seed = seed;
    }

    /** Checks the sizes of the tables a limiter would allocate, allocating nothing. */
    static void checkSizes(long capacity, int stateWords, boolean withMembers) {
        KeyTable.bytesFor(capacity, stateWords);
        if (withMembers) {
            KeyTable.bytesFor(capacity, 1);
        }
    }

    OffHeapSlots slots() {
        return slots;
    }

    OffHeapSlots memberSlots() {
        return memberSlots;
    }

    int find(long key) {
        return Fingerprint.find(table, key);
    }

    int find(CharSequence key) {
        return Fingerprint.find(table, key, seed);
    }

    int find(byte[] key) {
        return Fingerprint.find(table, key, seed);
    }

    int lookup(long key) {
        return Fingerprint.lookup(table, key);
    }

    int lookup(CharSequence key) {
        return Fingerprint.lookup(table, key, seed);
    }

    int findMember(long parent, long member) {
        return PairKeys.find(members, parent, member);
    }

    int findMember(CharSequence parent, CharSequence member) {
        return PairKeys.find(members, parent, member, seed);
    }

    int remapped(CharSequence parent, CharSequence member) {
        return PairKeys.remapped(parent, member, seed);
    }

    long size() {
        return table.size();
    }

    long capacity() {
        return table.capacity();
    }

    long bytesAllocated() {
        return table.bytesAllocated() + (members == null ? 0 : members.bytesAllocated());
    }
}
