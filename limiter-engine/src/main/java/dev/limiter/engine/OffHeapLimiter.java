package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.Outcome;
import dev.limiter.TableFullException;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.ConcurrencyKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.table.PairKeys;
import dev.limiter.engine.internal.time.StalenessFloor;

import java.util.Objects;

/*
 * One limit over an off-heap key table: resolve the key to its slot (KeySpace), pick the kernel in
 * force for it (the limit's, or the key's override), and let the store apply the kernel's step.
 *
 * Close safety. The only path to the off-heap memory is the volatile field `keys`. close() nulls
 * it; every call reads it once into a local, throws if it is null, and then uses only the local. A
 * call that read it before close() keeps the buffers - and therefore the direct memory, which the
 * JDK frees only when a buffer is unreachable - alive until it returns. So a call racing with
 * close() either completes on valid memory or throws; it never touches freed memory, and no lock
 * or counter is needed on the hot path.
 *
 * Overrides. A per-key override is a kernel for the changed limit that reads the key's slot with the
 * same layout (KeyOverrides); without overrides one load and a null test per acquire. A fixed limit refuses them.
 *
 * Staleness. Every decision passes through the limiter's StalenessFloor, so a caller whose "now"
 * is older than the kernel's horizon allows is counted at the floor (see StalenessFloor).
 *
 * Algorithms. Token bucket, fixed and sliding windows and quotas take permits with tryAcquire;
 * concurrency limits hand out leases (tryLease; waiters queue in LeaseWaiters, served on release)
 * and cardinality limits admit members (tryAdmit). All work in composites (CompositeTransaction).
 */
final class OffHeapLimiter implements Limiter {
    private final OffHeapEngine engine;
    private final Limit limit;
    private final Kernel kernel;
    private final Algorithm algorithm;
    private final Clock clock;
    private final WhenFull whenFull;
    private final long maxPermits;
    private final StalenessFloor floor;
    private final KeyOverrides overrides;
    private final LeaseWaiters waiters;
    private volatile KeySpace keys;

    OffHeapLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed) {
        this.engine = engine;
        this.limit = limit;
        this.kernel = kernel;
        this.algorithm = limit.algorithm();
        this.clock = engine.clock();
        this.whenFull = whenFull;
        this.maxPermits = kernel.maxPermits();
        this.floor = new StalenessFloor(kernel.horizonNanos(), clock);
        this.overrides = new KeyOverrides(limit, kernel);
        this.waiters = new LeaseWaiters(this);
        this.keys = new KeySpace(capacity, kernel.stateWords(), algorithm == Algorithm.CARDINALITY, seed);
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

    Algorithm algorithm() {
        return algorithm;
    }

    WhenFull whenFull() {
        return whenFull;
    }

    StalenessFloor floor() {
        return floor;
    }

    /** @return the kernel in force for the key at {@code offset}: its override, else the limit's */
    Kernel kernelAt(int offset) {
        return overrides.kernelAt(offset);
    }

    /** @return whether a request for {@code permits} is refused before its key is even resolved */
    private boolean unsatisfiableForEveryKey(long permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        return permits > maxPermits && overrides.none();
    }

    @Override
    public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        plainOnly();
        return unsatisfiableForEveryKey(permits) ? refuse(kernel, into) : acquireAt(s, s.find(key), permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        plainOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuse(kernel, into) : acquireAt(s, s.find(key), permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        plainOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuse(kernel, into) : acquireAt(s, s.find(key), permits, nowNanos, into);
    }

    /** The single-check path, shared by keys and handles. */
    boolean acquireAt(KeySpace s, int offset, long permits, long now, Decision into) {
        if (offset < 0) {
            return full(into);
        }
        Kernel k = kernelAt(offset);
        if (permits > k.maxPermits()) {
            return refuse(k, into);
        }
        return s.slots().acquire(k, offset, permits, now, floor, into) != Kernel.DENIED;
    }

    void plainOnly() {
        if (algorithm == Algorithm.CONCURRENCY || algorithm == Algorithm.CARDINALITY) {
            throw unsupported(algorithm == Algorithm.CONCURRENCY
                    ? ": take permits with tryLease (or a composite check) so that they can be released"
                    : ": admit members with tryAdmit(parent, member, ...) or Checks.addMember");
        }
    }

    UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("limit '" + limit.name() + "' is " + algorithm + what);
    }

    // ---------------------------------------------------------------- leases

    @Override
    public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        leasesOnly();
        return unsatisfiableForEveryKey(permits) ? refuseLease(kernel, into) : leaseAt(s, s.find(key), permits, nowNanos, into);
    }

    @Override
    public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        leasesOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuseLease(kernel, into) : leaseAt(s, s.find(key), permits, nowNanos, into);
    }

    Lease leaseAt(KeySpace s, int offset, long permits, long now, Decision into) {
        if (offset < 0) {
            return full(into) ? new SlotLease(this, -1, permits, 0L) : null;
        }
        Kernel k = kernelAt(offset);
        if (permits > k.maxPermits()) {
            return refuseLease(k, into);
        }
        long next = s.slots().acquire(k, offset, permits, now, floor, into);
        long at = floor.effective(now);
        return next == Kernel.DENIED ? null : SlotLease.granted(this, offset, permits, k.token(next, at), at);
    }

    private Lease refuseLease(Kernel k, Decision into) {
        refuse(k, into);
        return null;
    }

    private void leasesOnly() {
        if (algorithm != Algorithm.CONCURRENCY) {
            throw unsupported("; leases come from concurrency limits");
        }
    }

    /** Returns a lease's permits unless reclaimed, then to the key's waiters (LeaseWaiters); none after close. */
    void release(int offset, long permits, long token, long now) {
        KeySpace s = keys;
        if (s != null && offset >= 0) {
            s.slots().refund(kernel, offset, permits, token, floor.effective(now));
            waiters.released(s, offset, now);
        }
    }

    /** @return the asynchronous-lease queues of this (concurrency) limiter */
    LeaseWaiters waiters() {
        return waiters;
    }

    boolean isReclaimed(long token, long now) {
        return ((ConcurrencyKernel) kernel).isReclaimed(token, floor.effective(now));
    }

    // ---------------------------------------------------------------- cardinality

    @Override
    public boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
        KeySpace s = open();
        membersOnly();
        int offset = s.find(parent);
        return admitAt(s, offset, offset < 0 ? -1 : s.findMember(parent, member), PairKeys.remapped(parent, member),
                into);
    }

    @Override
    public boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
        KeySpace s = open();
        membersOnly();
        Objects.requireNonNull(parent, "parent must not be null");
        Objects.requireNonNull(member, "member must not be null");
        int offset = s.find(parent);
        return admitAt(s, offset, offset < 0 ? -1 : s.findMember(parent, member), s.remapped(parent, member), into);
    }

    private boolean admitAt(KeySpace s, int offset, int memberOffset, int remapped, Decision into) {
        if (offset < 0 || memberOffset < 0) {
            return full(into);
        }
        CardinalityKernel k = (CardinalityKernel) kernelAt(offset);
        return s.slots().admit(k, offset, s.memberSlots(), memberOffset, remapped, into) != Kernel.DENIED;
    }

    private void membersOnly() {
        if (algorithm != Algorithm.CARDINALITY) {
            throw unsupported("; members are admitted by cardinality limits");
        }
    }

    // ---------------------------------------------------------------- operator actions

    @Override
    public void override(long key, long permits) {
        KeySpace s = open();
        Kernel k = overrides.kernelFor(permits);
        overrides.install(slotOrThrow(s.find(key)), k);
    }

    @Override
    public void override(CharSequence key, long permits) {
        KeySpace s = open();
        Objects.requireNonNull(key, "key must not be null");
        Kernel k = overrides.kernelFor(permits);
        overrides.install(slotOrThrow(s.find(key)), k);
    }

    @Override
    public boolean clearOverride(long key) {
        return overrides.uninstall(open().lookup(key));
    }

    @Override
    public boolean clearOverride(CharSequence key) {
        return overrides.uninstall(open().lookup(Objects.requireNonNull(key, "key must not be null")));
    }

    @Override
    public long permitsFor(long key) {
        return overrides.permitsAt(open().lookup(key));
    }

    @Override
    public long permitsFor(CharSequence key) {
        return overrides.permitsAt(open().lookup(Objects.requireNonNull(key, "key must not be null")));
    }

    @Override
    public void reset(long key) {
        KeySpace s = open();
        resettable();
        resetAt(s, s.lookup(key));
    }

    @Override
    public void reset(CharSequence key) {
        KeySpace s = open();
        resettable();
        resetAt(s, s.lookup(Objects.requireNonNull(key, "key must not be null")));
    }

    private void resettable() {
        if (algorithm != Algorithm.QUOTA && algorithm != Algorithm.CARDINALITY) {
            throw unsupported("; only quota and cardinality limits are reset by an operator");
        }
    }

    /** An unseen key has a fresh total already: nothing to reset, no slot claimed. */
    private void resetAt(KeySpace s, int offset) {
        if (offset >= 0) {
            s.slots().reset((QuotaKernel) kernel, offset);
        }
    }

    // ---------------------------------------------------------------- handles and housekeeping

    @Override
    public LimitHandle handle(long key) {
        KeySpace s = open();
        plainOnly();
        return new SlotHandle(this, slotOrThrow(s.find(key)));
    }

    @Override
    public LimitHandle handle(CharSequence key) {
        KeySpace s = open();
        plainOnly();
        return new SlotHandle(this, slotOrThrow(s.find(Objects.requireNonNull(key, "key must not be null"))));
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
        return open().bytesAllocated();
    }

    /** Drops the tables; see the close-safety note above. */
    void close() {
        keys = null;
    }

    boolean isClosed() {
        return keys == null;
    }

    KeySpace open() {
        KeySpace s = keys;
        if (s == null) {
            throw new IllegalStateException("limiter '" + limit.name() + "' is closed");
        }
        return s;
    }

    private int slotOrThrow(int offset) {
        if (offset < 0) {
            throw tableFull();
        }
        return offset;
    }

    TableFullException tableFull() {
        return new TableFullException("limiter '" + limit.name() + "' is full: its table holds "
                + capacity() + " keys");
    }

    /** Refuses a request no key could ever grant; see {@link Kernel#maxPermits()}. */
    static boolean refuse(Kernel k, Decision into) {
        if (into != null) {
            into.set(Outcome.UNSATISFIABLE, k.limit(), 0, 0, Decision.NEVER, 0);
        }
        return false;
    }

    /** A new key found the table full: {@link WhenFull} decides. */
    private boolean full(Decision into) {
        if (whenFull == WhenFull.REJECT) {
            throw tableFull();
        }
        boolean allow = whenFull == WhenFull.ALLOW;
        if (into != null) {
            into.set(allow ? Outcome.TABLE_FULL_ALLOWED : Outcome.TABLE_FULL_DENIED, limit, 0, 0, 0, 0);
        }
        return allow;
    }

    @Override
    public String toString() {
        KeySpace s = keys;
        return "OffHeapLimiter[" + limit + (s == null ? ", closed" : ", " + s.size() + "/" + s.capacity() + " keys")
                + "]";
    }
}
