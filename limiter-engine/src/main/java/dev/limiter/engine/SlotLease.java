package dev.limiter.engine;

import dev.limiter.Lease;
import dev.limiter.Limiter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Permits held from a concurrency limit; thread-safe. Released at most once: the first
 * {@link #close()} wins a CAS on {@code released}; a lease past its reclaim point never touches the
 * state (see {@code ConcurrencyKernel}), so a late release cannot free a permit twice. A lease with
 * offset -1 was granted by a full table configured to admit and holds nothing.
 */
final class SlotLease implements Lease {
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(SlotLease.class, "released", int.class);
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

    SlotLease(OffHeapLimiter limiter, int offset, long permits, long token) {
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
        return released == 0 && (offset < 0 || !limiter.isReclaimed(token, limiter.clock().nanoTime()));
    }

    @Override
    public void close() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            limiter.release(offset, permits, token, limiter.clock().nanoTime());
        }
    }

    @Override
    public String toString() {
        return "Lease[" + limiter.limit().name() + ", " + permits + " permits" + (isHeld() ? "" : ", released") + "]";
    }
}
