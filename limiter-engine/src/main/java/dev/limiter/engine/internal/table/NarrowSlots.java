package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.store.OffHeapWords;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.limiter.engine.internal.table.KeyTable.FULL;
import static dev.limiter.engine.internal.table.KeyTable.RETIRED;

/*
 * The narrow layout: a 64-bit key stored as itself in one word, claimed by one CAS 0 -> key.
 *
 *   slot i < probeSlots:  | key | state words |   key k lives at or after home(k), probed linearly
 *   escape 0 (index p):   | 1   | state words |   key 0
 *   escape 1 (index p+1): | 2   | state words |   key KeyTable.FROZEN_PUBLISH
 *
 * Two values cannot be stored as themselves: 0 marks an empty slot and BARRED (= FROZEN_PUBLISH)
 * a slot barred by a rotation. The keys with those values each own one escape slot past the probe
 * range (the key word holds 1 or 2 there, never 0 or BARRED), so every 64-bit key has exactly one
 * place and two distinct keys never share a slot. The fingerprint of a 64-bit key (Fingerprint) maps
 * back to the key one to one (longKey), which is how rotations and handles name a narrow slot.
 *
 * Claiming, lock-free. A thread looking for key k with stored word s probes from its start slot:
 *   - word 0: if the table has room, CAS 0 -> s. The winner has claimed and published at once (it
 *     counts the key); a loser re-reads the word and goes on as below.
 *   - word s: the key's slot. Word BARRED: the table is retired (RETIRED). Anything else: probe on.
 * An escape slot is a probe sequence of length one: it holds s, BARRED or 0, nothing else.
 * Nothing is ever cleared or reused, as in the wide layout (KeyTable).
 *
 * Memory ordering. The key word is written only by CAS (a full fence) and read with acquire, so a
 * thread that sees a key also sees every state write ordered before it; the same as the wide layout.
 */
/** Claim, lookup and rotation steps of a {@link KeyTable} whose slots hold 64-bit keys as themselves. */
final class NarrowSlots {
    /** Offset of the key word within a slot. */
    static final int KEY_OFFSET = 0;
    /** Offset of the first state word within a slot. */
    static final int STATE_OFFSET = 8;
    /** Slots past the probe range, for the two keys that cannot be stored as themselves. */
    static final int ESCAPES = 2;
    /** The key word of a slot barred by a rotation; no key is stored as this value. */
    static final long BARRED = KeyTable.FROZEN_PUBLISH;

    private NarrowSlots() {
    }

    /** @return the state offset of 64-bit key {@code key}, claiming it if new; see {@link KeyTable#find} */
    static int find(KeyTable t, long key) {
        if (Fingerprint.reserved(key)) {
            long s = Fingerprint.reservedHalf(key);
            return probe(t, s, escape(t, s), 1);
        }
        long i = t.start(Fingerprint.LONG_DOMAIN, key);
        int at = (int) (i * t.slotBytes);
        boolean atHome = OffHeapWords.loadAcquire(t.buffer.addressOffset() + at + KEY_OFFSET) == key;
        return atHome ? at + STATE_OFFSET : probe(t, key, i, t.probeSlots);   // the common case reads only
    }

    /** @return the address of the first slot {@code key}'s probe reads (its home, or its escape slot); reads nothing */
    static long homeAddress(KeyTable t, long key) {
        return t.buffer.addressOffset() + first(t, key) * t.slotBytes;
    }

    static int find(KeyTable t, long claim, long publish) {
        return find(t, longKey(claim, publish));
    }

    static int lookup(KeyTable t, long claim, long publish) {
        long key = longKey(claim, publish);
        long s = stored(key);
        long i = first(t, key);
        long n = span(t, key);
        final UnsafeBuffer b = t.buffer;
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, t.probeSlots)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + KEY_OFFSET);
            if (c == 0 || c == BARRED) {
                return -1;
            }
            if (c == s) {
                return at + STATE_OFFSET;
            }
        }
        return -1;
    }

    /** find's general case: probes {@code n} slots from slot {@code i} for stored word {@code s}, claiming one if new. */
    private static int probe(KeyTable t, long s, long i, long n) {
        final UnsafeBuffer b = t.buffer;
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, t.probeSlots)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + KEY_OFFSET);
            if (c == 0 && t.full()) {
                c = b.getLongVolatile(at + KEY_OFFSET);          // as in the wide layout: the count may include this key
                if (c == 0) {
                    return FULL;
                }
            }
            if (c == 0) {
                if (b.compareAndSetLong(at + KEY_OFFSET, 0L, s)) {
                    t.counted();
                    return at + STATE_OFFSET;
                }
                c = b.getLongVolatile(at + KEY_OFFSET);
            }
            if (c == s) {
                return at + STATE_OFFSET;
            }
            if (c == BARRED) {
                return RETIRED;
            }
        }
        return FULL;
    }

    static long claimAt(KeyTable t, int stateOffset) {
        return t.indexOf(stateOffset) >= t.probeSlots ? Fingerprint.LONG_ZERO_DOMAIN : Fingerprint.LONG_DOMAIN;
    }

    static long publishAt(KeyTable t, int stateOffset) {
        return t.buffer.getLongVolatile(stateOffset - STATE_OFFSET + KEY_OFFSET);   // an escape slot holds 1 or 2: its publish half
    }

    static int findOrBar(KeyTable t, long claim, long publish) {
        long key = longKey(claim, publish);
        long s = stored(key);
        long i = first(t, key);
        long n = span(t, key);
        final UnsafeBuffer b = t.buffer;
        for (long probes = 0; probes < n;) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + KEY_OFFSET);
            if (c == 0) {
                if (b.compareAndSetLong(at + KEY_OFFSET, 0L, BARRED)) {
                    return -1;                                   // a claim of the key would have stopped here
                }
                continue;                                        // lost a race for this slot: read it again
            }
            if (c == BARRED) {
                return -1;
            }
            if (c == s) {
                return at + STATE_OFFSET;
            }
            i = KeyTable.next(i, t.probeSlots);
            probes++;
        }
        return -1;
    }

    static int barOrKey(KeyTable t, long index) {
        final UnsafeBuffer b = t.buffer;
        int at = (int) (index * t.slotBytes);
        for (;;) {
            long c = b.getLongVolatile(at + KEY_OFFSET);
            if (c == BARRED) {
                return -1;
            }
            if (c != 0) {
                return at + STATE_OFFSET;
            }
            if (b.compareAndSetLong(at + KEY_OFFSET, 0L, BARRED)) {
                return -1;
            }
        }
    }

    static int claimForCopy(KeyTable t, long claim, long publish) {
        long key = longKey(claim, publish);
        long s = stored(key);
        long i = first(t, key);
        long n = span(t, key);
        final UnsafeBuffer b = t.buffer;
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, t.probeSlots)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + KEY_OFFSET);
            if (c == 0) {
                if (b.compareAndSetLong(at + KEY_OFFSET, 0L, s)) {
                    return at + STATE_OFFSET;                    // counted by the reservation
                }
                c = b.getLongVolatile(at + KEY_OFFSET);
            }
            if (c == s) {
                t.release();                                     // counted when it was claimed
                return at + STATE_OFFSET;
            }
        }
        throw new IllegalStateException("key table overfilled: the rotation's reservation was broken");
    }

    /** @return the word that holds {@code key} in its slot: the key itself, or 1 or 2 in an escape slot */
    private static long stored(long key) {
        return Fingerprint.reserved(key) ? Fingerprint.reservedHalf(key) : key;
    }

    /** @return the index of the first slot {@code key}'s probe reads: its home, or its escape slot */
    private static long first(KeyTable t, long key) {
        return Fingerprint.reserved(key) ? escape(t, stored(key)) : t.start(Fingerprint.LONG_DOMAIN, key);
    }

    /** @return how many slots {@code key}'s probe may read: the whole probe range, or its one escape slot */
    private static long span(KeyTable t, long key) {
        return Fingerprint.reserved(key) ? 1 : t.probeSlots;
    }

    /** @return the index of the escape slot holding stored word {@code s} (1 or 2) */
    private static long escape(KeyTable t, long s) {
        return t.probeSlots + s - 1;
    }

    /**
     * @return the 64-bit key whose fingerprint is (claim, publish)
     * @throws IllegalArgumentException for any other fingerprint: a narrow table holds 64-bit keys only
     */
    static long longKey(long claim, long publish) {
        if (claim == Fingerprint.LONG_DOMAIN) {
            return publish;
        }
        if (claim == Fingerprint.LONG_ZERO_DOMAIN && (publish == 1 || publish == 2)) {
            return publish == 1 ? 0 : KeyTable.FROZEN_PUBLISH;
        }
        throw new IllegalArgumentException("a narrow key table holds 64-bit keys only");
    }
}
