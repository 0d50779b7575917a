package dev.limiter;

import java.util.Iterator;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Creates a {@link LimiterEngine} for a set of limits, so that code written against this API (the
 * policy gate, for one) never names an engine implementation.
 *
 * <p>An engine module registers its factory with {@link ServiceLoader}
 * ({@code META-INF/services/dev.limiter.LimiterEngineFactory}); {@link #discover()} finds it.
 */
@FunctionalInterface
public interface LimiterEngineFactory {

    /**
     * @param clock the clock the engine reads
     * @param capacities every limit to register, with the number of keys its table must hold, in order
     * @param whenFull what each limiter does with a new key once its table is full
     * @return a new engine owning a limiter named after each limit
     */
    LimiterEngine create(Clock clock, Map<Limit, Long> capacities, WhenFull whenFull);

    /**
     * @return the first factory registered with {@link ServiceLoader}
     * @throws IllegalStateException when none is on the class path
     */
    static LimiterEngineFactory discover() {
        Iterator<LimiterEngineFactory> it = ServiceLoader.load(LimiterEngineFactory.class,
                LimiterEngineFactory.class.getClassLoader()).iterator();
        if (it.hasNext()) {
            return it.next();
        }
        throw new IllegalStateException("no limiter engine found: add dev.limiter:limiter-engine to the class path,"
                + " or register a LimiterEngineFactory with ServiceLoader");
    }
}
