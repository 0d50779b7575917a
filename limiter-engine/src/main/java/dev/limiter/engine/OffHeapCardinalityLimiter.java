package dev.limiter.engine;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Limit;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;

/**
 * A cardinality limit of the off-heap engine, as a {@link CardinalityLimiter}: it admits members and is reset by an operator. Every operation is the shared core's
 * ({@link OffHeapLimiter}); this class only chooses which of them its users can see.
 */
final class OffHeapCardinalityLimiter extends OffHeapLimiter implements CardinalityLimiter {

    OffHeapCardinalityLimiter(OffHeapEngine engine, Limit limit, Kernel kernel, long capacity, WhenFull whenFull, long seed,
            boolean evicts, KeyTable.Layout layout) {
        super(engine, limit, kernel, capacity, whenFull, seed, evicts, layout);
    }
}
