package dev.limiter.internal;

import dev.limiter.Checks;
import dev.limiter.Decision;

import java.lang.invoke.MethodHandles;

/*
 * The JDK's "shared secrets" pattern. Decision and Checks keep their engine-owned fields private
 * and, in their static initializers, install an object that reads and writes them; this class
 * hands those objects to engines. The package is exported only to the engine modules (see
 * module-info), so users never see the setters.
 *
 * Cost on the hot path: none beyond the call itself. An engine keeps the writer in a static final
 * field; the JIT treats it as a constant of one known class, so the interface call is devirtualized
 * and inlined into a plain field store.
 *
 * Initialization: asking for a writer first initializes its class, so the writer is installed
 * before it is returned, whichever class is loaded first. Each writer is installed once.
 */
/** Hands engines the writers of the fields that {@link Decision} and {@link Checks} hide from users. */
public final class EngineAccess {
    private static volatile DecisionWriter decisions;
    private static volatile CheckRecords checks;

    private EngineAccess() {
    }

    /** @return the writer of {@link Decision}s; keep it in a static final field */
    public static DecisionWriter decisions() {
        DecisionWriter w = decisions;
        if (w == null) {
            initialize(Decision.class);
            w = decisions;
        }
        return w;
    }

    /** @return the reader and writer of {@link Checks}' engine records; keep it in a static final field */
    public static CheckRecords checks() {
        CheckRecords c = checks;
        if (c == null) {
            initialize(Checks.class);
            c = checks;
        }
        return c;
    }

    /**
     * Called once, by {@link Decision}'s static initializer.
     *
     * @throws IllegalStateException when a writer is installed already
     */
    public static synchronized void install(DecisionWriter writer) {
        if (decisions != null) {
            throw new IllegalStateException("the decision writer is installed already");
        }
        decisions = writer;
    }

    /**
     * Called once, by {@link Checks}' static initializer.
     *
     * @throws IllegalStateException when the records' accessor is installed already
     */
    public static synchronized void install(CheckRecords records) {
        if (checks != null) {
            throw new IllegalStateException("the check records' accessor is installed already");
        }
        checks = records;
    }

    private static void initialize(Class<?> c) {
        try {
            MethodHandles.lookup().ensureInitialized(c);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot initialize " + c.getName(), e);
        }
    }
}
