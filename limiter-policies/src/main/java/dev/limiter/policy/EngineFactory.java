package dev.limiter.policy;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.WhenFull;

import java.util.Iterator;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Creates the {@link LimiterEngine} a {@link PolicyGate} runs on, given the policy's limits and
 * the keys each must hold; lets this module stay independent of any engine implementation.
 */
@FunctionalInterface
public interface EngineFactory {

    /**
     * @param clock the clock the engine reads
     * @param capacities every limit to register, with the number of keys its table must hold, in policy order
     * @param whenFull what each limiter does with a new key once its table is full
     * @return a new engine owning a limiter named after each limit
     */
    LimiterEngine create(Clock clock, Map<Limit, Long> capacities, WhenFull whenFull);

    /**
     * Finds an engine: the first {@code EngineFactory} registered with {@link ServiceLoader}, else
     * the off-heap engine of {@code limiter-engine} when it is on the class path.
     *
     * @throws IllegalStateException when neither is available
     */
    static EngineFactory discover() {
        Iterator<EngineFactory> it = ServiceLoader.load(EngineFactory.class).iterator();
        if (it.hasNext()) {
            return it.next();
        }
        return OffHeapEngineFactory.INSTANCE.available() ? OffHeapEngineFactory.INSTANCE : missing();
    }

    private static EngineFactory missing() {
        throw new IllegalStateException("no limiter engine found: add dev.limiter:limiter-engine to the class path,"
                + " register an EngineFactory with ServiceLoader, or pass one to PolicyGate.builder(...).engine(...)");
    }
}
