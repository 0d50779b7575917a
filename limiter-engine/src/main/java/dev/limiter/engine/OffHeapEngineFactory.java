package dev.limiter.engine;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.LimiterEngineFactory;
import dev.limiter.WhenFull;

import java.util.Map;

/** Creates {@link OffHeapEngine}s; registered with {@link java.util.ServiceLoader} for {@link LimiterEngineFactory#discover()}. */
public final class OffHeapEngineFactory implements LimiterEngineFactory {

    /** The factory {@link java.util.ServiceLoader} instantiates. */
    public OffHeapEngineFactory() {
    }

    @Override
    public LimiterEngine create(Clock clock, Map<Limit, Long> capacities, WhenFull whenFull) {
        OffHeapEngine.Builder b = OffHeapEngine.builder().clock(clock).whenFull(whenFull);
        for (Map.Entry<Limit, Long> e : capacities.entrySet()) {
            b.limit(e.getKey(), e.getValue());
        }
        return b.build();
    }
}
