package dev.limiter.engine.internal.store;

import org.agrona.UnsafeAccess;

/*
 * Unchecked 64-bit accesses to direct memory by absolute address, for the two places on the
 * acquire path that read or write a slot: the key table's home-slot read and a slot store's state
 * words.
 *
 * Why unchecked. A checked buffer access costs a bounds test per access, and the JIT compiles each
 * test it never saw fail as a deoptimisation trap with code that saves every live value; four of
 * them on one acquire made the compiled path too large for the JIT to inline into its caller. The
 * callers' offsets are in range by construction (a slot index below the table's slot count times
 * the slot size, plus a word index below the slot's word count), which is the check that matters.
 *
 * Memory ordering. loadAcquire is a volatile load (acquire), compareAndSet a full fence: the same
 * as the buffer accessors these replace, so every protocol comment on the key table and the slot
 * stores still holds.
 *
 * Lifetime. An address is only valid while the buffer it came from is reachable; every caller
 * holds that buffer in a field of the object it is using (see the close-safety comment of the
 * limiter), so freed memory is never touched.
 */
/** Unchecked acquire loads and CAS on 64-bit words of direct memory; each call is one atomic access. */
public final class OffHeapWords {
    private OffHeapWords() {
    }

    /** @return the word at {@code address}, read with acquire semantics */
    public static long loadAcquire(long address) {
        return UnsafeAccess.UNSAFE.getLongVolatile(null, address);
    }

    /** @return whether the word at {@code address} held {@code expected} and now holds {@code next} (a full fence) */
    public static boolean compareAndSet(long address, long expected, long next) {
        return UnsafeAccess.UNSAFE.compareAndSwapLong(null, address, expected, next);
    }
}
