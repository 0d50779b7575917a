package dev.limiter.policy;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.LimiterEngineFactory;
import dev.limiter.WhenFull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link PolicyGate}'s engines come from: the engine it was given (used for its first
 * policy only), else engines it makes with a {@link LimiterEngineFactory}, one per policy whose
 * rules are fresh, each table sized by the rule's configured capacity. It owns and closes the
 * engines it made. Thread-safe.
 */
final class EngineSource {
    private final Clock clock;
    private final WhenFull whenFull;
    private final long defaultCapacity;
    private final Map<String, Long> capacities;
    private final LimiterEngineFactory factory;
    private LimiterEngine given;
    private final List<LimiterEngine> owned = new ArrayList<>();

    EngineSource(Clock clock, WhenFull whenFull, long defaultCapacity, Map<String, Long> capacities,
                 LimiterEngineFactory factory, LimiterEngine given) {
        this.clock = given != null ? given.clock() : clock;
        this.whenFull = whenFull;
        this.defaultCapacity = defaultCapacity;
        this.capacities = Map.copyOf(capacities);
        this.factory = factory;
        this.given = given;
    }

    /** @return an engine registering the limits of {@code rules}: the given one the first time, else a new one */
    synchronized LimiterEngine create(List<Rule> rules) {
        if (given != null) {
            LimiterEngine e = given;
            given = null;
            return e;
        }
        Map<Limit, Long> sizes = new LinkedHashMap<>();
        for (Rule r : rules) {
            sizes.put(r.limit(), capacities.getOrDefault(r.name(), defaultCapacity));
        }
        LimiterEngineFactory f = factory != null ? factory : LimiterEngineFactory.discover();
        LimiterEngine e = Objects.requireNonNull(f.create(clock, sizes, whenFull), "engine factory returned null");
        owned.add(e);
        return e;
    }

    /** Closes the engines made here that are not in {@code inUse}; @return how many */
    synchronized int closeRetired(LimiterEngine[] inUse) {
        List<LimiterEngine> keep = Arrays.asList(inUse);
        int closed = 0;
        for (LimiterEngine e : owned) {
            if (!keep.contains(e) && !e.isClosed()) {
                e.close();
                closed++;
            }
        }
        return closed;
    }

    /** Closes every engine made here; idempotent. */
    synchronized void closeAll() {
        for (LimiterEngine e : owned) {
            e.close();
        }
    }
}
