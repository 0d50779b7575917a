package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.Outcome;
import dev.limiter.TableFullException;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.Fingerprint;
import dev.limiter.engine.internal.KeyTable;
import dev.limiter.engine.internal.Kernel;
import org.agrona.concurrent.AtomicBuffer;

/*
 * One limit over an off-heap key table: resolve the key to its slot, then let the kernel decide.
 *
 * Close safety. The only path to the off-heap memory is the volatile field `buffer`. close()
 * nulls it; every call reads it once into a local, throws if it is null, and then uses only the
 * local. A call that read it before close() keeps the buffer object - and therefore the direct
 * memory, which the JDK frees only when the buffer is unreachable - alive until it returns. So a
 * call racing with close() either completes on valid memory or throws; it never touches freed
 * memory, and no lock or counter is needed on the hot path.
 */
final class OffHeapLimiter implements Limiter {
    private final OffHeapEngine engine;
    private final Limit limit;
    private final Kernel kernel;
    private final Clock clock;
    private final WhenFull whenFull;
    private final long maxPermits;
    private final long seed;
    private volatile KeyTable table;

    OffHeapLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed) {
        this.engine = engine;
        this.limit = limit;
        this.kernel = kernel;
        this.clock = engine.clock();
        this.whenFull = whenFull;
        this.maxPermits = kernel.maxPermits();
        this.seed = seed;
        this.table = new KeyTable(capacity, kernel.stateWords());
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

    @Override
    public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        if (permits < 1 || permits > maxPermits) {
            return refuse(permits, into);
        }
        int offset = Fingerprint.find(t, key);
        return offset < 0 ? full(into) : kernel.tryAcquire(t.buffer(), offset, permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        if (permits < 1 || permits > maxPermits) {
            return refuse(permits, into);
        }
        int offset = Fingerprint.find(t, key, seed);
        return offset < 0 ? full(into) : kernel.tryAcquire(t.buffer(), offset, permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
        KeyTable t = open();
        if (permits < 1 || permits > maxPermits) {
            return refuse(permits, into);
        }
        int offset = Fingerprint.find(t, key, seed);
        return offset < 0 ? full(into) : kernel.tryAcquire(t.buffer(), offset, permits, nowNanos, into);
    }

    @Override
    public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
        throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + limit.algorithm()
                + "; leases come from concurrency limits");
    }

    @Override
    public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
        throw new UnsupportedOperationException("limit '" + limit.name() + "' is " + limit.algorithm()
                + "; leases come from concurrency limits");
    }

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

    /** @return off-heap bytes held by this limiter's table */
    long bytesAllocated() {
        return open().bytesAllocated();
    }

    /** Drops the table; see the close-safety note above. */
    void close() {
        table = null;
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

    private boolean refuse(long permits, Decision into) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (into != null) {
            into.set(Outcome.UNSATISFIABLE, limit, 0, 0, Decision.NEVER, 0);
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
            if (permits < 1 || permits > limiter.maxPermits) {
                return limiter.refuse(permits, into);
            }
            AtomicBuffer b = t.buffer();
            return limiter.kernel.tryAcquire(b, offset, permits, nowNanos, into);
        }
    }

    @Override
    public String toString() {
        KeyTable t = table;
        return "OffHeapLimiter[" + limit + (t == null ? ", closed" : ", " + t.size() + "/" + t.capacity() + " keys")
                + "]";
    }
}
