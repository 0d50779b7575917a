package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.testkit.LimiterEngineContract;

import java.util.List;

/** The off-heap engine passes the contract every engine must pass (limiter-testkit). */
class OffHeapEngineContractTest extends LimiterEngineContract {
    @Override
    protected LimiterEngine engine(Clock clock, List<Limit> limits) {
        OffHeapEngine.Builder b = OffHeapEngine.builder().clock(clock).seed(7);
        for (Limit limit : limits) {
            b.limit(limit, 256);
        }
        return b.build();
    }
}
