package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;

/**
 * A token-bucket, fixed-window or sliding-window limit of the off-heap engine, as a {@link RateLimiter}: it takes permits and hands out handles. Every operation is the shared core's
 * ({@link OffHeapLimiter}); this class only chooses which of them its users can see.
 */
final class OffHeapRateLimiter extends OffHeapLimiter implements RateLimiter {

    OffHeapRateLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed,
            boolean evicts, KeyTable.Layout layout) {
        super(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
    }

    /** As the default, with the clock read through this class's own field: one type check fewer when inlined. */
    @Override
    public boolean tryAcquire(long key) {
        return tryAcquire(key, 1, clock().nanoTime(), null);
    }

    /** Resolves each group of keys before deciding it (see {@link BatchAcquire}); decisions as the default's. */
    @Override
    public int tryAcquireBatch(long[] keys, int from, int to, long permits, long nowNanos, boolean[] granted) {
        return BatchAcquire.acquire(this, keys, from, to, permits, nowNanos, granted);
    }

    /** Token buckets lease (see {@link LeasedHandle}); windows get a plain handle. */
    @Override
    public LimitHandle leasedHandle(long key, long leasePermits) {
        if (leasePermits < 1) {
            throw new IllegalArgumentException("leasePermits must be at least 1, was " + leasePermits);
        }
        LimitHandle plain = handle(key);                     // claims the key, or throws as handle does
        return algorithm() == Algorithm.TOKEN_BUCKET ? new LeasedHandle(this, key, leasePermits) : plain;
    }
}
