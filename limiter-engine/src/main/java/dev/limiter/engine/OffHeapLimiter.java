package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.FixedLimitException;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.Outcome;
import dev.limiter.TableFullException;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.CardinalityKernel;
import dev.limiter.engine.internal.ConcurrencyKernel;
import dev.limiter.engine.internal.Fingerprint;
import dev.limiter.engine.internal.KernelOverrides;
import dev.limiter.engine.internal.KeyTable;
import dev.limiter.engine.internal.Kernel;
import dev.limiter.engine.internal.PairKeys;
import dev.limiter.engine.internal.QuotaKernel;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * One limit over an off-heap key table: resolve the key to its slot, then let the kernel decide.
 *
 * Close safety. The only path to the off-heap memory is the volatile field `buffer`. close()
 * nulls it; every call reads it once into a local, throws if it is null, and then uses only the
 * local. A call that read it before close() keeps the buffer object - and therefore the direct
 * memory, which the JDK frees only when the buffer is unreachable - alive until it returns. So a
 * call racing with close() either completes on valid memory or throws; it never touches freed
 * memory, and no lock or counter is needed on the hot path.
 *
 * Overrides. A per-key override (an operator's raise or lower) is a kernel for the changed limit
 * that reads the key's slot with the same layout, kept in an immutable side map from slot offset
 * to kernel (KernelOverrides). The field `overrides` is null until the first override, so a
 * limiter without overrides pays one load and a null test per acquire; writers copy the map under
 * this object's lock and publish it with a volatile store. A fixed limit refuses overrides.
 *
 * Algorithms. Token bucket, fixed and sliding windows and quotas take permits with tryAcquire;
 * concurrency limits hand out leases (tryLease) and cardinality limits admit members (tryAdmit),
 * because their permits are tied to something the caller must name or give back. Both also work
 * inside composite decisions (OffHeapEngine.tryAcquireAll).
 */
final class OffHeapLimiter implements Limiter {
    /** engineSlot of a composite check whose key found a full table configured to admit: skipped. */
    static final long SLOT_SKIP = -1L;
    /** engineSlot of a composite check whose key found a full table configured to deny. */
    static final long SLOT_DENY = -2L;

    private final OffHeapEngine engine;
    private final Limit limit;
    private final Kernel kernel;
    private final Algorithm algorithm;
    private final boolean plain;
    private final Clock clock;
    private final WhenFull whenFull;
    private final long maxPermits;
    private final long seed;
    private volatile KeyTable table;
    private volatile KeyTable members;
    private volatile KernelOverrides overrides;

    OffHeapLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed) {
        this.engine = engine;
        this.limit = limit;
        this.kernel = kernel;
        this.algorithm = limit.algorithm();
        this.plain = algorithm != Algorithm.CONCURRENCY && algorithm != Algorithm.CARDINALITY;
        this.clock = engine.clock();
        this.whenFull = whenFull;
        this.maxPermits = kernel.maxPermits();
        this.seed = seed;
        this.table = new KeyTable(capacity, kernel.stateWords());
        this.members = algorithm == Algorithm.CARDINALITY ? new KeyTable(capacity, 1) : null;
    }

    @Override
    public Limit limit() {
        return limit;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    OffHeapEngine engine() {
        return engine;
    }

    Kernel kernel() {
        return kernel;
    }

    /** @return the kernel in force for the key at {@code offset}: its override, else the limit's */
    Kernel kernelAt(int offset) {
        KernelOverrides o = overrides;
        return o == null ? kernel : o.get(offset, kernel);
    }

    @Override
    public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        plainOnly();
        if (permits < 1 || (permits > maxPermits && overrides == null)) {
            return refuse(kernel, permits, into);
        }
        return acquireAt(t, Fingerprint.find(t, key), permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        plainOnly();
        if (permits < 1 || (permits > maxPermits && overrides == null)) {
            return refuse(kernel, permits, into);
        }
        return acquireAt(t, Fingerprint.find(t, key, seed), permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        plainOnly();
        if (permits < 1 || (permits > maxPermits && overrides == null)) {
            return refuse(kernel, permits, into);
        }
        return acquireAt(t, Fingerprint.find(t, key, seed), permits, nowNanos, into);
    }

    private boolean acquireAt(KeyTable t, int offset, long permits, long now, Decision into) {
        if (offset < 0) {
            return full(into);
        }
        Kernel k = kernelAt(offset);
        // without an override for this key, permits <= maxPermits was checked by the caller
        if ((k != kernel || permits > maxPermits) && permits > k.maxPermits()) {
            return refuse(k, permits, into);
        }
        return k.tryAcquire(t.buffer(), offset, permits, now, into);
    }

    private void plainOnly() {
        if (!plain) {
            throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + algorithm
                    + (algorithm == Algorithm.CONCURRENCY
                    ? ": take permits with tryLease (or a composite check) so that they can be released"
                    : ": admit members with tryAdmit(parent, member, ...) or Checks.addMember"));
        }
    }

    // ---------------------------------------------------------------- leases

    @Override
    public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        leasesOnly();
        if (permits < 1 || (permits > maxPermits && overrides == null)) {
            refuse(kernel, permits, into);
            return null;
        }
        return leaseAt(t, Fingerprint.find(t, key), permits, nowNanos, into);
    }

    @Override
    public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        leasesOnly();
        if (permits < 1 || (permits > maxPermits && overrides == null)) {
            refuse(kernel, permits, into);
            return null;
        }
        return leaseAt(t, Fingerprint.find(t, key, seed), permits, nowNanos, into);
    }

    private Lease leaseAt(KeyTable t, int offset, long permits, long now, Decision into) {
        if (offset < 0) {
            return full(into) ? new OffHeapLease(this, -1, permits, 0L) : null;
        }
        Kernel k = kernelAt(offset);
        if (permits > k.maxPermits()) {
            refuse(k, permits, into);
            return null;
        }
        long token = k.acquire(t.buffer(), offset, permits, now, into);
        return token == Kernel.DENIED ? null : new OffHeapLease(this, offset, permits, token);
    }

    private void leasesOnly() {
        if (algorithm != Algorithm.CONCURRENCY) {
            throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + algorithm
                    + "; leases come from concurrency limits");
        }
    }

    /** Returns a lease's permits unless it was reclaimed; after close there is nothing to return. */
    void release(int offset, long permits, long token, long now) {
        KeyTable t = table;
        if (t == null || offset < 0) {
            return;
        }
        ((ConcurrencyKernel) kernel).release(t.buffer(), offset, permits, token, now);
    }

    boolean isReclaimed(long token, long now) {
        return ((ConcurrencyKernel) kernel).isReclaimed(token, now);
    }

    // ---------------------------------------------------------------- cardinality

    @Override
    public boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
        KeyTable t = open();
        KeyTable m = membersOnly();
        int offset = Fingerprint.find(t, parent);
        return admitAt(t, offset, m, offset < 0 ? -1 : PairKeys.find(m, parent, member), into);
    }

    @Override
    public boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
        KeyTable t = open();
        KeyTable m = membersOnly();
        int offset = Fingerprint.find(t, parent, seed);
        return admitAt(t, offset, m, offset < 0 ? -1 : PairKeys.find(m, parent, member, seed), into);
    }

    private boolean admitAt(KeyTable t, int offset, KeyTable m, int memberOffset, Decision into) {
        if (offset < 0 || memberOffset < 0) {
            return full(into);
        }
        CardinalityKernel k = (CardinalityKernel) kernelAt(offset);
        return k.admit(t.buffer(), offset, m.buffer(), memberOffset, into) != Kernel.DENIED;
    }

    private KeyTable membersOnly() {
        KeyTable m = members;
        if (algorithm != Algorithm.CARDINALITY) {
            throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + algorithm
                    + "; members are admitted by cardinality limits");
        }
        if (m == null) {
            throw new IllegalStateException("limiter '" + limit.name() + "' is closed");
        }
        return m;
    }

    // ---------------------------------------------------------------- operator actions

    @Override
    public void override(long key, long permits) {
        KeyTable t = open();
        Kernel k = overrideKernel(permits);
        install(slotOrThrow(Fingerprint.find(t, key)), k);
    }

    @Override
    public void override(CharSequence key, long permits) {
        KeyTable t = open();
        Kernel k = overrideKernel(permits);
        install(slotOrThrow(Fingerprint.find(t, key, seed)), k);
    }

    /** Validates an override completely before anything changes. */
    private Kernel overrideKernel(long permits) {
        if (!limit.overridable()) {
            throw new FixedLimitException("limit '" + limit.name() + "' is fixed: it refuses per-key overrides"
                    + " (asked to set " + permits + " permits)");
        }
        if (permits < 1 || permits > Limit.MAX_PERMITS) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override must be in [1, "
                    + Limit.MAX_PERMITS + "] permits, was " + permits);
        }
        return kernel.withLimit(limit.withPermits(permits));
    }

    private synchronized void install(int offset, Kernel k) {
        KernelOverrides o = overrides;
        overrides = o == null ? KernelOverrides.of(offset, k) : o.with(offset, k);
    }

    @Override
    public boolean clearOverride(long key) {
        KeyTable t = open();
        return uninstall(Fingerprint.lookup(t, key));
    }

    @Override
    public boolean clearOverride(CharSequence key) {
        KeyTable t = open();
        return uninstall(lookup(t, key));
    }

    private synchronized boolean uninstall(int offset) {
        KernelOverrides o = overrides;
        if (offset < 0 || o == null || !o.contains(offset)) {
            return false;
        }
        overrides = o.without(offset);
        return true;
    }

    @Override
    public long permitsFor(long key) {
        KeyTable t = open();
        int offset = Fingerprint.lookup(t, key);
        return offset < 0 ? limit.permits() : kernelAt(offset).limit().permits();
    }

    @Override
    public long permitsFor(CharSequence key) {
        KeyTable t = open();
        int offset = lookup(t, key);
        return offset < 0 ? limit.permits() : kernelAt(offset).limit().permits();
    }

    /** String keys have no claim-free lookup in Fingerprint; claiming the slot changes no decision. */
    private int lookup(KeyTable t, CharSequence key) {
        return Fingerprint.find(t, key, seed);
    }

    @Override
    public void reset(long key) {
        KeyTable t = open();
        resetAt(t, Fingerprint.lookup(t, key));
    }

    @Override
    public void reset(CharSequence key) {
        KeyTable t = open();
        resetAt(t, lookup(t, key));
    }

    private void resetAt(KeyTable t, int offset) {
        if (algorithm != Algorithm.QUOTA && algorithm != Algorithm.CARDINALITY) {
            throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + algorithm
                    + "; only quota and cardinality limits are reset by an operator");
        }
        if (offset >= 0) {
            ((QuotaKernel) kernel).reset(t.buffer(), offset);
        }
    }

    // ---------------------------------------------------------------- composite decisions

    /**
     * Resolves check {@code i}'s key (claiming a new slot consumes nothing) and records it in the
     * check's engine slot: the state offset, with a cardinality member's offset in the high half, or
     * {@link #SLOT_SKIP} / {@link #SLOT_DENY} for a full table.
     *
     * @throws TableFullException when the table is full and configured to reject
     */
    void resolve(Checks checks, int i) {
        KeyTable t = open();
        int offset = checks.hasStringKey(i) ? Fingerprint.find(t, checks.stringKey(i), seed)
                : Fingerprint.find(t, checks.longKey(i));
        long slot = offset;
        if (checks.hasMember(i) != (algorithm == Algorithm.CARDINALITY)) {
            throw new IllegalArgumentException("check " + i + " on limit '" + limit.name() + "' ("
                    + algorithm + ") " + (checks.hasMember(i) ? "names a member, which only cardinality limits take"
                    : "needs a member: add it with Checks.addMember"));
        }
        if (offset >= 0 && checks.hasMember(i)) {
            KeyTable m = membersOnly();
            int mo = checks.hasStringKey(i)
                    ? PairKeys.find(m, checks.stringKey(i), checks.memberStringKey(i), seed)
                    : PairKeys.find(m, checks.longKey(i), checks.memberLongKey(i));
            slot = mo < 0 ? -1 : ((long) mo << 32) | offset;
        }
        if (slot < 0) {
            switch (whenFull) {
                case DENY:
                    slot = SLOT_DENY;
                    break;
                case ALLOW:
                    slot = SLOT_SKIP;
                    break;
                default:
                    throw tableFull();
            }
        }
        checks.engineSlot(i, slot);
    }

    /** @return 0 when check {@code i} would be granted now, else its retry-after; writes nothing */
    long peek(Checks checks, int i, long now, Decision into) {
        long slot = checks.engineSlot(i);
        if (slot == SLOT_DENY) {
            if (into != null) {
                into.set(Outcome.TABLE_FULL_DENIED, limit, 0, 0, 0, 0);
            }
            return 0L;
        }
        KeyTable t = open();
        int offset = (int) slot;
        Kernel k = kernelAt(offset);
        long p = checks.permits(i);
        if (p > k.maxPermits()) {
            refuse(k, p, into);
            return Decision.NEVER;
        }
        if (algorithm == Algorithm.CARDINALITY) {
            return ((CardinalityKernel) k).peekMember(t.buffer(), offset, membersOnly().buffer(),
                    (int) (slot >>> 32), into);
        }
        return k.peek(t.buffer(), offset, p, now, into);
    }

    /** @return whether check {@code i} is denied before any kernel runs (full table, unsatisfiable) */
    boolean deniedOutright(Checks checks, int i) {
        long slot = checks.engineSlot(i);
        return slot == SLOT_DENY || (slot >= 0 && checks.permits(i) > kernelAt((int) slot).maxPermits());
    }

    /** @return the commit order of check {@code i}'s kernel, or -1 when it is skipped */
    int commitOrder(Checks checks, int i) {
        long slot = checks.engineSlot(i);
        return slot < 0 ? -1 : kernelAt((int) slot).commitOrder();
    }

    /** Takes check {@code i}'s permits. @return the refund token, or {@link Kernel#DENIED} */
    long commit(Checks checks, int i, long now, Decision into) {
        KeyTable t = open();
        long slot = checks.engineSlot(i);
        int offset = (int) slot;
        Kernel k = kernelAt(offset);
        if (algorithm == Algorithm.CARDINALITY) {
            return ((CardinalityKernel) k).admit(t.buffer(), offset, membersOnly().buffer(), (int) (slot >>> 32), into);
        }
        return k.acquire(t.buffer(), offset, checks.permits(i), now, into);
    }

    /** Gives back what {@link #commit} took for check {@code i}. */
    void refund(Checks checks, int i, long token, long now) {
        KeyTable t = open();
        int offset = (int) checks.engineSlot(i);
        kernelAt(offset).refund(t.buffer(), offset, checks.permits(i), token, now);
    }

    boolean isConcurrency() {
        return algorithm == Algorithm.CONCURRENCY;
    }

    // ---------------------------------------------------------------- handles and housekeeping

    @Override
    public LimitHandle handle(long key) {
        KeyTable t = open();
        return new Handle(this, slotOrThrow(Fingerprint.find(t, key)));
    }

    @Override
    public LimitHandle handle(CharSequence key) {
        KeyTable t = open();
        return new Handle(this, slotOrThrow(Fingerprint.find(t, key, seed)));
    }

    @Override
    public long keyCount() {
        return open().size();
    }

    @Override
    public long capacity() {
        return open().capacity();
    }

    /** @return off-heap bytes held by this limiter's tables */
    long bytesAllocated() {
        KeyTable m = members;
        return open().bytesAllocated() + (m == null ? 0 : m.bytesAllocated());
    }

    /** Drops the tables; see the close-safety note above. */
    void close() {
        table = null;
        members = null;
    }

    boolean isClosed() {
        return table == null;
    }

    KeyTable open() {
        KeyTable t = table;
        if (t == null) {
            throw new IllegalStateException("limiter '" + limit.name() + "' is closed");
        }
        return t;
    }

    private int slotOrThrow(int offset) {
        if (offset < 0) {
            throw tableFull();
        }
        return offset;
    }

    private TableFullException tableFull() {
        return new TableFullException("limiter '" + limit.name() + "' is full: its table holds "
                + capacity() + " keys");
    }

    private boolean refuse(Kernel k, long permits, Decision into) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (into != null) {
            into.set(Outcome.UNSATISFIABLE, k.limit(), 0, 0, Decision.NEVER, 0);
        }
        return false;
    }

    private boolean full(Decision into) {
        switch (whenFull) {
            case DENY:
                if (into != null) {
                    into.set(Outcome.TABLE_FULL_DENIED, limit, 0, 0, 0, 0);
                }
                return false;
            case ALLOW:
                if (into != null) {
                    into.set(Outcome.TABLE_FULL_ALLOWED, limit, 0, 0, 0, 0);
                }
                return true;
            default:
                throw tableFull();
        }
    }

    /** A resolved key: the slot offset is stable for the table's life (slots never move). */
    private static final class Handle implements LimitHandle {
        private final OffHeapLimiter limiter;
        private final int offset;

        Handle(OffHeapLimiter limiter, int offset) {
            this.limiter = limiter;
            this.offset = offset;
        }

        @Override
        public Limiter limiter() {
            return limiter;
        }

        @Override
        public boolean tryAcquire(long permits, long nowNanos, Decision into) {
            KeyTable t = limiter.open();
            limiter.plainOnly();
            if (permits < 1) {
                return limiter.refuse(limiter.kernel, permits, into);
            }
            Kernel k = limiter.kernelAt(offset);
            if (permits > k.maxPermits()) {
                return limiter.refuse(k, permits, into);
            }
            AtomicBuffer b = t.buffer();
            return k.tryAcquire(b, offset, permits, nowNanos, into);
        }
    }

    /**
     * Permits held from a concurrency limit. Released at most once: the first close() wins a CAS on
     * {@code released}; a lease past its reclaim point never touches the state (see
     * ConcurrencyKernel), so a late release cannot free a permit twice.
     */
    private static final class OffHeapLease implements Lease {
        private static final VarHandle RELEASED;

        static {
            try {
                RELEASED = MethodHandles.lookup().findVarHandle(OffHeapLease.class, "released", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final OffHeapLimiter limiter;
        private final int offset;
        private final long permits;
        private final long token;
        @SuppressWarnings("unused")
        private volatile int released;

        OffHeapLease(OffHeapLimiter limiter, int offset, long permits, long token) {
            this.limiter = limiter;
            this.offset = offset;
            this.permits = permits;
            this.token = token;
        }

        @Override
        public Limiter limiter() {
            return limiter;
        }

        @Override
        public long permits() {
            return permits;
        }

        @Override
        public boolean isHeld() {
            return released == 0 && (offset < 0 || !limiter.isReclaimed(token, limiter.clock.nanoTime()));
        }

        @Override
        public void close() {
            if (RELEASED.compareAndSet(this, 0, 1)) {
                limiter.release(offset, permits, token, limiter.clock.nanoTime());
            }
        }

        @Override
        public String toString() {
            return "Lease[" + limiter.limit.name() + ", " + permits + " permits" + (isHeld() ? "" : ", released") + "]";
        }
    }

    @Override
    public String toString() {
        KeyTable t = table;
        return "OffHeapLimiter[" + limit + (t == null ? ", closed" : ", " + t.size() + "/" + t.capacity() + " keys")
                + "]";
    }
}
