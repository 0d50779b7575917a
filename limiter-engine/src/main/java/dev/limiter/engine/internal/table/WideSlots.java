package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.store.OffHeapWords;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.limiter.engine.internal.table.KeyTable.CLAIM_OFFSET;
import static dev.limiter.engine.internal.table.KeyTable.FROZEN_CLAIM;
import static dev.limiter.engine.internal.table.KeyTable.FROZEN_PUBLISH;
import static dev.limiter.engine.internal.table.KeyTable.FULL;
import static dev.limiter.engine.internal.table.KeyTable.PUBLISH_OFFSET;
import static dev.limiter.engine.internal.table.KeyTable.RETIRED;
import static dev.limiter.engine.internal.table.KeyTable.STATE_OFFSET;

/*
 * The wide layout's probing: 128-bit keys (claim, publish) claimed in two steps, claim word then
 * publish word (the protocol is drawn in KeyTable's comment). Every method is a step of KeyTable's
 * public contract for a wide table; KeyTable holds the sizes and counts and dispatches here.
 */
/** Claim, lookup and rotation steps of a {@link KeyTable} whose slots hold 128-bit keys. */
final class WideSlots {
    private WideSlots() {
    }

    /** @see KeyTable#find(long, long) */
    static int find(KeyTable t, long claim, long publish) {
        long i = t.start(claim, publish);
        int at = (int) (i * t.slotBytes);
        long home = t.buffer.addressOffset() + at;
        boolean atHome = ((OffHeapWords.loadAcquire(home + CLAIM_OFFSET) ^ claim)
                | (OffHeapWords.loadAcquire(home + PUBLISH_OFFSET) ^ publish)) == 0;
        return atHome ? at + STATE_OFFSET : probe(t, claim, publish, i);   // the common case reads only, and inlines
    }

    /** find's general case: probes from slot {@code i}, claiming a slot if the key is new. */
    private static int probe(KeyTable t, long claim, long publish, long i) {
        final UnsafeBuffer b = t.buffer;
        final long n = t.probeSlots;
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, n)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + CLAIM_OFFSET);
            if (c == 0 && t.full()) {
                // The count may include this very key, claimed here by another thread since our
                // read: it claimed before it counted, so a re-read after the count sees the claim.
                c = b.getLongVolatile(at + CLAIM_OFFSET);
                if (c == 0) {
                    return FULL;
                }
            }
            if (c == 0) {
                if (!b.compareAndSetLong(at + CLAIM_OFFSET, 0L, claim)) {
                    c = b.getLongVolatile(at + CLAIM_OFFSET);
                    if (c != claim) {
                        if (c == FROZEN_CLAIM) {
                            return RETIRED;
                        }
                        continue;
                    }
                }
                c = claim;
            }
            if (c == claim) {
                long p = b.getLongVolatile(at + PUBLISH_OFFSET);
                if (p == 0) {
                    if (b.compareAndSetLong(at + PUBLISH_OFFSET, 0L, publish)) {
                        t.counted();
                        return at + STATE_OFFSET;
                    }
                    p = b.getLongVolatile(at + PUBLISH_OFFSET);
                }
                if (p == publish) {
                    return at + STATE_OFFSET;
                }
                if (p == FROZEN_PUBLISH) {
                    return RETIRED;
                }
            } else if (c == FROZEN_CLAIM) {
                return RETIRED;
            }
        }
        return FULL;
    }

    /** @see KeyTable#lookup(long, long) */
    static int lookup(KeyTable t, long claim, long publish) {
        final UnsafeBuffer b = t.buffer;
        final long n = t.probeSlots;
        long i = t.start(claim, publish);
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, n)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + CLAIM_OFFSET);
            if (c == 0 || c == FROZEN_CLAIM) {
                return -1;
            }
            if (c == claim && b.getLongVolatile(at + PUBLISH_OFFSET) == publish) {
                return at + STATE_OFFSET;
            }
        }
        return -1;
    }

    /** @see KeyTable#findOrBar(long, long) */
    static int findOrBar(KeyTable t, long claim, long publish) {
        final UnsafeBuffer b = t.buffer;
        final long n = t.probeSlots;
        long i = t.start(claim, publish);
        for (long probes = 0; probes < n; probes++) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + CLAIM_OFFSET);
            if (c == 0 && b.compareAndSetLong(at + CLAIM_OFFSET, 0L, FROZEN_CLAIM)) {
                return -1;                                   // a claim of the key would have stopped here
            }
            if (c == 0) {
                continue;                                    // lost a race for this slot: read it again
            }
            if (c == FROZEN_CLAIM) {
                return -1;
            }
            if (c == claim) {
                long p = b.getLongVolatile(at + PUBLISH_OFFSET);
                if (p == 0 && b.compareAndSetLong(at + PUBLISH_OFFSET, 0L, FROZEN_PUBLISH)) {
                    return -1;                               // a claimer of the key would have published here
                }
                if (p == 0) {
                    continue;
                }
                if (p == FROZEN_PUBLISH) {
                    return -1;
                }
                if (p == publish) {
                    return at + STATE_OFFSET;
                }
            }
            i = KeyTable.next(i, n);
        }
        return -1;
    }

    /** @see KeyTable#barOrKey(long) */
    static int barOrKey(KeyTable t, long index) {
        final UnsafeBuffer b = t.buffer;
        int at = (int) (index * t.slotBytes);
        for (;;) {
            long c = b.getLongVolatile(at + CLAIM_OFFSET);
            if (c == FROZEN_CLAIM) {
                return -1;
            }
            if (c == 0) {
                if (b.compareAndSetLong(at + CLAIM_OFFSET, 0L, FROZEN_CLAIM)) {
                    return -1;
                }
                continue;
            }
            long p = b.getLongVolatile(at + PUBLISH_OFFSET);
            if (p == FROZEN_PUBLISH) {
                return -1;
            }
            if (p == 0) {
                if (b.compareAndSetLong(at + PUBLISH_OFFSET, 0L, FROZEN_PUBLISH)) {
                    return -1;
                }
                continue;
            }
            return at + STATE_OFFSET;
        }
    }

    /** @see KeyTable#claimForCopy(long, long) */
    static int claimForCopy(KeyTable t, long claim, long publish) {
        final UnsafeBuffer b = t.buffer;
        final long n = t.probeSlots;
        long i = t.start(claim, publish);
        for (long probes = 0; probes < n; probes++, i = KeyTable.next(i, n)) {
            int at = (int) (i * t.slotBytes);
            long c = b.getLongVolatile(at + CLAIM_OFFSET);
            if (c == 0 && !b.compareAndSetLong(at + CLAIM_OFFSET, 0L, claim)) {
                c = b.getLongVolatile(at + CLAIM_OFFSET);
            } else if (c == 0) {
                c = claim;
            }
            if (c == claim) {
                long p = b.getLongVolatile(at + PUBLISH_OFFSET);
                if (p == 0) {
                    if (b.compareAndSetLong(at + PUBLISH_OFFSET, 0L, publish)) {
                        return at + STATE_OFFSET;           // counted by the reservation
                    }
                    p = b.getLongVolatile(at + PUBLISH_OFFSET);
                }
                if (p == publish) {
                    t.release();                             // counted when it was claimed
                    return at + STATE_OFFSET;
                }
            }
        }
        throw new IllegalStateException("key table overfilled: the rotation's reservation was broken");
    }
}
