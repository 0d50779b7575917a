package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Outcome;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.TableView;
import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * One limiter's steps on a resolved slot, with the retries that idle-key eviction calls for.
 *
 * A key is resolved in one view of the limiter's KeySpace; the step then runs on that view's store.
 * Three things send a call back to resolve again, without allocating (the YES / NO / AGAIN codes,
 * and the AGAIN_LEASE sentinel):
 *   - find returned RETIRED: the table was retired by a rotation before the key was found in it;
 *   - the step met the key's frozen word (Kernel.frozenWord): a rotation moved the key;
 *   - find returned FULL and the KeySpace made room (a rotation ran): at most ROOM_TRIES times,
 *     after which the table is reported full, honestly: WhenFull decides, and a denial's
 *     retry-after is when a rotation can next free a slot (KeySpace.retryAfterFull).
 * Releases relocate the key by the fingerprint its old slot still holds (a lease keeps its table),
 * and then tell the key's lease waiters (LeaseWaiters, keyed by that fingerprint too); a queued
 * waiter's grant resolves the key by its fingerprint in the current view (leaseQueued).
 */
/** Runs one limiter's steps on resolved slots and retries when a rotation moved the key; thread-safe. */
final class SlotSteps {
    private final OffHeapLimiter limiter;
    private final LeaseWaiters waiters;

    SlotSteps(OffHeapLimiter limiter) {
        this.limiter = limiter;
        this.waiters = new LeaseWaiters(limiter);
    }

    /** @return the asynchronous-lease queues of the limiter (a concurrency limiter; empty otherwise) */
    LeaseWaiters waiters() {
        return waiters;
    }

    static final int NO = 0;
    static final int YES = 1;
    static final int AGAIN = 2;
    /** Resolutions a call retries after a full table before it reports the table full. */
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private static final CheckRecords CHECKS = EngineAccess.checks();
    static final int ROOM_TRIES = 3;

    /** @return whether {@code key} was granted {@code permits}; resolves it again as long as a rotation moves it */
    boolean acquire(KeySpace s, long key, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            int r = acquireIn(s, v, s.find(v, key), tries, permits, now, into);
            if (r != AGAIN) {
                return r == YES;
            }
        }
    }

    /** @return whether {@code key} was granted {@code permits}; resolves it again as long as a rotation moves it */
    boolean acquire(KeySpace s, CharSequence key, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            int r = acquireIn(s, v, s.find(v, key), tries, permits, now, into);
            if (r != AGAIN) {
                return r == YES;
            }
        }
    }

    /** @return whether {@code key} was granted {@code permits}; resolves it again as long as a rotation moves it */
    boolean acquire(KeySpace s, byte[] key, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            int r = acquireIn(s, v, s.find(v, key), tries, permits, now, into);
            if (r != AGAIN) {
                return r == YES;
            }
        }
    }

    /** @return a lease of {@code permits} on {@code key}, or null; resolves it again as long as a rotation moves it */
    Lease lease(KeySpace s, long key, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            Lease lease = leaseIn(s, v, s.find(v, key), tries, permits, now, into);
            if (lease != AGAIN_LEASE) {
                return lease;
            }
        }
    }

    /** @return a lease of {@code permits} on {@code key}, or null; resolves it again as long as a rotation moves it */
    Lease lease(KeySpace s, CharSequence key, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            Lease lease = leaseIn(s, v, s.find(v, key), tries, permits, now, into);
            if (lease != AGAIN_LEASE) {
                return lease;
            }
        }
    }

    /**
     * The single-check path, shared by keys and handles: {@code offset} is the key's slot in
     * {@code v}'s table, or what find returned.
     *
     * @return YES, NO, or AGAIN when the key must be resolved again (a rotation moved it)
     */
    int acquireIn(KeySpace s, TableView v, int offset, int tries, long permits, long now, Decision into) {
        if (offset < 0) {
            if (offset == KeyTable.RETIRED || (tries < ROOM_TRIES && s.makeRoom(v))) {
                return AGAIN;
            }
            return full(s, now, into) ? YES : NO;
        }
        s.prepare(v, offset);
        Kernel k = limiter.kernelAt(offset);
        if (permits > k.maxPermits()) {
            return OffHeapLimiter.refuse(k, into) ? YES : NO;
        }
        long next = v.slots().acquire(k, offset, permits, now, limiter.floor(), into);
        return next == k.frozenWord() ? AGAIN : next != Kernel.DENIED ? YES : NO;
    }

    /** Returned by leaseIn when the key must be resolved again; never handed out. */
    static final Lease AGAIN_LEASE = new SlotLease(null, null, -1, 0, 0L);

    Lease leaseIn(KeySpace s, TableView v, int offset, int tries, long permits, long now, Decision into) {
        if (offset < 0) {
            if (offset == KeyTable.RETIRED || (tries < ROOM_TRIES && s.makeRoom(v))) {
                return AGAIN_LEASE;
            }
            return fullLease(s, permits, now, into);
        }
        s.prepare(v, offset);
        Kernel k = limiter.kernelAt(offset);
        if (permits > k.maxPermits()) {
            OffHeapLimiter.refuse(k, into);
            return null;
        }
        long next = v.slots().acquire(k, offset, permits, now, limiter.floor(), into);
        if (next == k.frozenWord()) {
            return AGAIN_LEASE;
        }
        long at = limiter.floor().effective(now);
        return next == Kernel.DENIED ? null
                : SlotLease.granted(limiter, v.table(), offset, permits, k.token(next, at), at);
    }

    /**
     * A queued waiter's try: a lease of {@code permits} on the key of fingerprint ({@code claim},
     * {@code publish}), resolved in the current view wherever a rotation moved it.
     *
     * @return the lease, or null with {@code into} the refusal; a key whose table stays full is
     *     refused as LIMITED (it waits on, and is not subject to WhenFull: it held leases)
     */
    Lease leaseQueued(KeySpace s, long claim, long publish, long permits, long now, Decision into) {
        for (int tries = 0;; tries++) {
            TableView v = s.view();
            int offset = v.table().find(claim, publish);
            if (offset == KeyTable.FULL) {
                if (tries < ROOM_TRIES && s.makeRoom(v)) {
                    continue;
                }
                DECISIONS.set(into, Outcome.LIMITED, limiter.limit(), 0, 0, 0L, 0L);
                return null;
            }
            Lease lease = leaseIn(s, v, offset, tries, permits, now, into);
            if (lease != AGAIN_LEASE) {
                return lease;
            }
        }
    }

    /** @return the lease a full table grants when WhenFull admits (it holds nothing), else null; see full */
    Lease fullLease(KeySpace s, long permits, long now, Decision into) {
        return full(s, now, into) ? new SlotLease(limiter, null, -1, permits, 0L) : null;
    }

    /**
     * Returns a lease's permits unless it was reclaimed; after close there is nothing to return. The
     * lease's slot was {@code offset} in {@code table}; a rotation may have moved the key since, so
     * it is relocated by the fingerprint the old slot holds. If the key cannot be relocated (its new
     * table is full and it was not copied yet), the permits stay counted until the kernel's roll
     * reclaims them: fewer grants, never more.
     */
    void release(KeyTable table, int offset, long permits, long token, long now) {
        KeySpace s = limiter.keysOrNull();
        if (s == null || offset < 0) {
            return;
        }
        for (int tries = 0; tries < 16; tries++) {
            TableView v = s.view();
            int at = KeySpace.relocate(v, table, offset);
            if (at == KeyTable.RETIRED) {
                continue;
            }
            if (at < 0) {
                return;
            }
            s.prepare(v, at);
            if (v.slots().refund(limiter.kernel(), at, permits, token, limiter.floor().effective(now))) {
                waiters.released(s, v.table(), at, now);
                return;
            }
        }
    }

    /** Returns the permits of composite check {@code i}, whose slot {@code engineSlot} names. */
    void release(Checks checks, int i, long token, long now) {
        KeySpace s = limiter.keysOrNull();
        if (s == null) {
            return;
        }
        long slot = CHECKS.slot(checks, i);
        int offset = (int) slot;
        if (offset < 0) {
            return;
        }
        for (int tries = 0; tries < 16; tries++) {
            TableView v = s.view();
            int at = (int) (slot >>> 32) == v.id() ? offset
                    : checks.hasStringKey(i) ? s.find(v, checks.stringKey(i)) : s.find(v, checks.longKey(i));
            if (at == KeyTable.RETIRED) {
                continue;
            }
            if (at < 0) {
                return;
            }
            s.prepare(v, at);
            if (v.slots().refund(limiter.kernel(), at, checks.permits(i), token, limiter.floor().effective(now))) {
                waiters.released(s, v.table(), at, now);
                return;
            }
            slot = -1L >>> 32;                                    // moved: find it by its key next time
        }
    }

    /**
     * A new key found the table full, even after a rotation: {@link WhenFull} decides. A denial's
     * retry-after is when a rotation can next free a slot (KeySpace.retryAfterFull).
     */
    boolean full(KeySpace s, long now, Decision into) {
        if (limiter.whenFull() == WhenFull.REJECT) {
            throw limiter.tableFull();
        }
        boolean allow = limiter.whenFull() == WhenFull.ALLOW;
        if (into != null) {
            long retry = allow ? 0L : s.retryAfterFull(now);
            DECISIONS.set(into, allow ? Outcome.TABLE_FULL_ALLOWED : Outcome.TABLE_FULL_DENIED, limiter.limit(), 0, 0, retry, retry);
        }
        return allow;
    }

    /** @return the retry-after of a full-table denial at {@code now} */
    long retryAfterFull(long now) {
        return limiter.open().retryAfterFull(now);
    }
}
