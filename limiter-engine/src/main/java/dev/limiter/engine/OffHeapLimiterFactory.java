package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;

/**
 * Makes the off-heap limiter of a limit's kind: a {@link dev.limiter.RateLimiter} for token buckets
 * and windows, a {@link dev.limiter.QuotaLimiter}, a {@link dev.limiter.ConcurrencyLimiter} or a
 * {@link dev.limiter.CardinalityLimiter}, each an instance of that type only.
 */
final class OffHeapLimiterFactory {
    private OffHeapLimiterFactory() {
    }

    static OffHeapLimiter create(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull,
                                 long seed, boolean evicts, KeyTable.Layout layout) {
        switch (limit.algorithm()) {
            case QUOTA:
                return new OffHeapQuotaLimiter(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
            case CONCURRENCY:
                return new OffHeapConcurrencyLimiter(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
            case CARDINALITY:
                return new OffHeapCardinalityLimiter(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
            default:
                return new OffHeapRateLimiter(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
        }
    }
}
