package dev.limiter.policy;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.LimiterEngine;
import dev.limiter.WhenFull;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

/*
 * Builds limiter-engine's OffHeapEngine through its public builder, found by name at run time, so
 * that limiter-policies depends on limiter-api alone at compile time (DESIGN.md section 1). This
 * is a stop-gap until limiter-api offers an engine-provider SPI that limiter-engine registers
 * with ServiceLoader; EngineFactory.discover() already prefers such a registration.
 */
enum OffHeapEngineFactory implements EngineFactory {
    INSTANCE;

    private static final String ENGINE = "dev.limiter.engine.OffHeapEngine";

    boolean available() {
        try {
            Class.forName(ENGINE, false, OffHeapEngineFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public LimiterEngine create(Clock clock, Map<Limit, Long> capacities, WhenFull whenFull) {
        try {
            Class<?> engine = Class.forName(ENGINE, true, OffHeapEngineFactory.class.getClassLoader());
            Object builder = engine.getMethod("builder").invoke(null);
            Class<?> b = builder.getClass();
            b.getMethod("clock", Clock.class).invoke(builder, clock);
            b.getMethod("whenFull", WhenFull.class).invoke(builder, whenFull);
            Method limit = b.getMethod("limit", Limit.class, long.class);
            for (Map.Entry<Limit, Long> e : capacities.entrySet()) {
                limit.invoke(builder, e.getKey(), e.getValue());
            }
            return (LimiterEngine) b.getMethod("build").invoke(builder);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException("creating " + ENGINE + " failed", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(ENGINE + " does not have the expected builder", e);
        }
    }
}
