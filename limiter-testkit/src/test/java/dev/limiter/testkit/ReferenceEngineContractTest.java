package dev.limiter.testkit;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;

import java.util.List;

/** The reference model passes the contract every engine must pass. */
class ReferenceEngineContractTest extends LimiterEngineContract {
    @Override
    protected LimiterEngine engine(Clock clock, List<Limit> limits) {
        return new ReferenceEngine(clock, limits);
    }
}
