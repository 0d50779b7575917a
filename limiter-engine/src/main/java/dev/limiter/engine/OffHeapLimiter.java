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
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.PairKeys;
import dev.limiter.engine.internal.table.TableView;
import dev.limiter.engine.internal.time.BranchFree;
import dev.limiter.engine.internal.time.StalenessFloor;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

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
 * Overrides. A per-key override is a kernel for the changed limit that reads the key's slot with
 * the same layout (KeyOverrides); a limiter without overrides pays one load and a null test per
 * acquire. A fixed limit refuses overrides.
 *
 * Staleness. Every decision passes through the limiter's StalenessFloor, so a caller whose "now"
 * is older than the kernel's horizon allows is counted at the floor (see StalenessFloor).
 *
 * Eviction. Keys resolve against the KeySpace's current view; a call that meets a retired table or a
 * frozen state word (a rotation moved the key) resolves again, and a new key that finds the table
 * full first lets the KeySpace make room (see KeySpace, TableRotation). The tri-state results below
 * (YES, NO, AGAIN) carry that retry without allocating.
 *
 * Algorithms. Token bucket, fixed and sliding windows and quotas take permits with tryAcquire;
 * concurrency limits hand out leases (tryLease) and cardinality limits admit members (tryAdmit).
 * All of them also work inside composite decisions (CompositeTransaction). This core holds every
 * operation; one subclass per kind (OffHeapRateLimiter, OffHeapQuotaLimiter,
 * OffHeapConcurrencyLimiter, OffHeapCardinalityLimiter) exposes through its interface only those
 * that apply, so a user's call that cannot apply does not compile. The run-time checks below
 * (OperationGuard) stay as a second line behind the types.
 */
abstract class OffHeapLimiter implements Limiter {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final OffHeapEngine engine;
    private final Limit limit;
    private final Kernel kernel;
    private final Algorithm algorithm;
    private final Clock clock;
    private final WhenFull whenFull;
    private final long maxPermits;
    /** maxPermits for algorithms that take plain acquires, 0 for the others (see ordinary) */
    private final long plainMaxPermits;
    private final StalenessFloor floor;
    private final KeyOverrides overrides;
    private final SlotSteps steps = new SlotSteps(this);
    private final OperationGuard guard;
    private volatile KeySpace keys;

    OffHeapLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed,
                   boolean evicts, KeyTable.Layout layout) {
        this.engine = engine;
        this.limit = limit;
        this.kernel = kernel;
        this.algorithm = limit.algorithm();
        this.guard = new OperationGuard(limit);
        this.clock = engine.clock();
        this.whenFull = whenFull;
        this.maxPermits = kernel.maxPermits();
        this.plainMaxPermits = algorithm == Algorithm.CONCURRENCY || algorithm == Algorithm.CARDINALITY ? 0 : maxPermits;
        this.floor = new StalenessFloor(kernel.horizonNanos(), clock);
        this.overrides = new KeyOverrides(limit, kernel);
        this.keys = new KeySpace(capacity, kernel, algorithm == Algorithm.CARDINALITY, seed,
                evicts && evictable(algorithm), layout, floor, clock, overrides);
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

    /** @return whether keys of {@code algorithm} can decay, so that eviction can free their slots */
    static boolean evictable(Algorithm algorithm) {
        return algorithm != Algorithm.QUOTA && algorithm != Algorithm.CARDINALITY;
    }

    /** @return whether a request for {@code permits} is refused before its key is even resolved */
    boolean unsatisfiableForEveryKey(long permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        return permits > maxPermits && overrides.none();
    }

    public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        return ordinary(permits) ? steps.acquire(s, key, permits, nowNanos, into)
                : unusual(permits, into) && steps.acquire(s, key, permits, nowNanos, into);
    }

    /**
     * @return whether none of unusual's checks apply: a plain-acquire algorithm, 1 &le; permits &le;
     *     maxPermits; one branch (see BranchFree), so that the compiled path inlines into callers
     */
    private boolean ordinary(long permits) {
        return (BranchFree.below(permits, 1) | BranchFree.below(plainMaxPermits, permits)) == 0;
    }

    /** @return whether a request that is not ordinary must still be decided per key; throws or refuses otherwise */
    private boolean unusual(long permits, Decision into) {
        guard.plainOnly();
        return !unsatisfiableForEveryKey(permits) || refuse(kernel, into);
    }

    public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.plainOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuse(kernel, into) : steps.acquire(s, key, permits, nowNanos, into);
    }

    public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.plainOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuse(kernel, into) : steps.acquire(s, key, permits, nowNanos, into);
    }

    // ---------------------------------------------------------------- leases

    public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.leasesOnly();
        return unsatisfiableForEveryKey(permits) ? refuseLease(kernel, into) : steps.lease(s, key, permits, nowNanos, into);
    }

    public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.leasesOnly();
        Objects.requireNonNull(key, "key must not be null");
        return unsatisfiableForEveryKey(permits) ? refuseLease(kernel, into) : steps.lease(s, key, permits, nowNanos, into);
    }

    private Lease refuseLease(Kernel k, Decision into) {
        refuse(k, into);
        return null;
    }

    boolean isReclaimed(long token, long now) {
        return ((ConcurrencyKernel) kernel).isReclaimed(token, floor.effective(now));
    }

    // ---------------------------------------------------------------- cardinality

    public boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.membersOnly();
        TableView v = s.view();
        int offset = s.find(v, parent);
        return admitAt(s, v, offset, offset < 0 ? -1 : s.findMember(parent, member),
                PairKeys.remapped(parent, member), nowNanos, into);
    }

    public boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
        KeySpace s = open();
        guard.membersOnly();
        Objects.requireNonNull(parent, "parent must not be null");
        Objects.requireNonNull(member, "member must not be null");
        TableView v = s.view();
        int offset = s.find(v, parent);
        return admitAt(s, v, offset, offset < 0 ? -1 : s.findMember(parent, member), s.remapped(parent, member),
                nowNanos, into);
    }

    /** Cardinality tables never rotate (a count of members never decays), so offsets stay valid. */
    private boolean admitAt(KeySpace s, TableView v, int offset, int memberOffset, int remapped, long now,
                            Decision into) {
        if (offset < 0 || memberOffset < 0) {
            return steps.full(s, now, into);
        }
        CardinalityKernel k = (CardinalityKernel) kernelAt(offset);
        return v.slots().admit(k, offset, s.memberSlots(), memberOffset, remapped, into) != Kernel.DENIED;
    }

    // ---------------------------------------------------------------- operator actions

    @Override
    public void override(long key, long permits) {
        KeySpace s = open();
        Kernel k = overrides.kernelFor(permits);
        synchronized (s) {                                   // no rotation runs or starts meanwhile
            s.finishRotation();
            overrides.install(slotOrThrow(s.find(s.view(), key)), k);
        }
    }

    @Override
    public void override(CharSequence key, long permits) {
        KeySpace s = open();
        Objects.requireNonNull(key, "key must not be null");
        Kernel k = overrides.kernelFor(permits);
        synchronized (s) {
            s.finishRotation();
            overrides.install(slotOrThrow(s.find(s.view(), key)), k);
        }
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

    public void reset(long key) {
        KeySpace s = open();
        guard.resettable();
        resetAt(s, s.lookup(key));
    }

    public void reset(CharSequence key) {
        KeySpace s = open();
        guard.resettable();
        resetAt(s, s.lookup(Objects.requireNonNull(key, "key must not be null")));
    }

    /** An unseen key has a fresh total already: nothing to reset, no slot claimed. */
    private void resetAt(KeySpace s, int offset) {
        if (offset >= 0) {
            s.view().slots().reset((QuotaKernel) kernel, offset);   // quota tables never rotate
        }
    }

    // ---------------------------------------------------------------- handles and housekeeping

    public LimitHandle handle(long key) {
        KeySpace s = open();
        guard.plainOnly();
        TableView v = s.view();
        return new SlotHandle(this, v.table(), slotOrThrow(s.find(v, key)));
    }

    public LimitHandle handle(CharSequence key) {
        KeySpace s = open();
        guard.plainOnly();
        TableView v = s.view();
        return new SlotHandle(this, v.table(), slotOrThrow(s.find(v, Objects.requireNonNull(key, "key must not be null"))));
    }

    @Override
    public long keyCount() {
        return open().size();
    }

    @Override
    public long capacity() {
        return open().capacity();
    }

    @Override
    public long evictions() {
        return open().evictions();
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
                + capacity() + " live keys");
    }

    /** Refuses a request no key could ever grant; see {@link Kernel#maxPermits()}. */
    static boolean refuse(Kernel k, Decision into) {
        if (into != null) {
            DECISIONS.set(into, Outcome.UNSATISFIABLE, k.limit(), 0, 0, Decision.NEVER, 0);
        }
        return false;
    }

    /** @return the key space, or null after close */
    KeySpace keysOrNull() {
        return keys;
    }

    /** @return the limit's own kernel (overrides aside) */
    Kernel kernel() {
        return kernel;
    }

    /** @return the run-time check of which operations the algorithm takes */
    OperationGuard guard() {
        return guard;
    }

    /** @return the steps that resolve keys and retry when a rotation moves them */
    SlotSteps steps() {
        return steps;
    }

    /** @return the retry-after of a full-table denial at {@code now} */
    long retryAfterFull(long now) {
        return open().retryAfterFull(now);
    }

    @Override
    public String toString() {
        KeySpace s = keys;
        return "OffHeapLimiter[" + limit + (s == null ? ", closed" : ", " + s.size() + "/" + s.capacity() + " keys")
                + "]";
    }
}
