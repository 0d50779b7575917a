package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.TableView;

/**
 * A key resolved once to its slot, so each acquire skips the hash and the probe. The slot is
 * (table, offset): when a rotation moves the key to a new table (its state word reads frozen, or
 * the limiter's current table is another one), the handle relocates it by the fingerprint the old
 * slot holds and caches the new slot. Thread-safe: the cached slot is an immutable pair behind a
 * volatile reference; racing relocations store equal pairs.
 */
final class SlotHandle implements LimitHandle {
    private final OffHeapLimiter limiter;
    private volatile Slot slot;

    SlotHandle(OffHeapLimiter limiter, KeyTable table, int offset) {
        this.limiter = limiter;
        this.slot = new Slot(table, offset);
    }

    /** Handles come only from {@link RateLimiter#handle}, so the core is a rate (or quota) limiter here. */
    @Override
    public RateLimiter limiter() {
        return (RateLimiter) limiter;
    }

    @Override
    public boolean tryAcquire(long permits, long nowNanos, Decision into) {
        KeySpace s = limiter.open();
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            Slot at = slot;
            int offset = at.offset;
            if (at.table != v.table()) {
                offset = KeySpace.relocate(v, at.table, at.offset);
                if (offset >= 0) {
                    slot = new Slot(v.table(), offset);      // allocates once per move, not per acquire
                }
            }
            int r = limiter.steps().acquireIn(s, v, offset, tries, permits, nowNanos, into);
            if (r != SlotSteps.AGAIN) {
                return r == SlotSteps.YES;
            }
        }
    }

    /** A slot: an offset within one table. */
    private static final class Slot {
        final KeyTable table;
        final int offset;

        Slot(KeyTable table, int offset) {
            this.table = table;
            this.offset = offset;
        }
    }
}
