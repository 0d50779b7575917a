package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.QuotaLimiter;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;

/**
 * A quota limit of the off-heap engine, as a {@link QuotaLimiter}: it takes permits, hands out handles, and is reset by an operator. Every operation is the shared core's
 * ({@link OffHeapLimiter}); this class only chooses which of them its users can see.
 */
final class OffHeapQuotaLimiter extends OffHeapLimiter implements QuotaLimiter {

    OffHeapQuotaLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed,
            boolean evicts, KeyTable.Layout layout) {
        super(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
    }

    /** Resolves each group of keys before deciding it (see {@link BatchAcquire}); decisions as the default's. */
    @Override
    public int tryAcquireBatch(long[] keys, int from, int to, long permits, long nowNanos, boolean[] granted) {
        return BatchAcquire.acquire(this, keys, from, to, permits, nowNanos, granted);
    }
}
