package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.CardinalityLimiter;
import dev.limiter.LimiterEngine;
import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.EngineAccess;

/**
 * The concurrency permits one admitted request holds, each with the engine that granted it, so
 * that {@link Verdict#complete()} returns them to that engine, whatever policy the gate has
 * swapped to meanwhile.
 */
final class HeldPermits {
    private static final CheckRecords RECORDS = EngineAccess.checks();

    private LimiterEngine[] engines = new LimiterEngine[1];
    private Checks[] held = new Checks[1];
    private int size;

    /** Adds checks admitted by {@code engine}'s {@code tryAcquireAll}; they must not be reused by the caller. */
    HeldPermits add(LimiterEngine engine, Checks checks) {
        if (size == engines.length) {
            engines = java.util.Arrays.copyOf(engines, size * 2);
            held = java.util.Arrays.copyOf(held, size * 2);
        }
        engines[size] = engine;
        held[size++] = checks;
        return this;
    }

    /** Returns every permit held (none to an engine already closed: its memory, permits included, is gone). */
    void release() {
        for (int i = 0; i < size; i++) {
            LimiterEngine engine = engines[i];
            if (engine.isClosed()) {
                continue;
            }
            try {
                engine.releaseAll(held[i], engine.clock().nanoTime());
            } catch (IllegalStateException closedMeanwhile) {
                if (!engine.isClosed()) {
                    throw closedMeanwhile;
                }
            }
        }
    }

    /**
     * Copies the first {@code n} checks (keys as Strings, since the key buffers are reused) with
     * what the engine recorded in them (lease tokens and resolved slots), so that the copy can be
     * released later.
     */
    static Checks copy(Checks checks, int n) {
        Checks copy = new Checks(n);
        for (int c = 0; c < n; c++) {
            if (checks.hasMember(c)) {
                copy.addMember((CardinalityLimiter) checks.limiter(c), checks.stringKey(c).toString(),
                        checks.memberStringKey(c).toString());
            } else {
                copy.add(checks.limiter(c), checks.stringKey(c).toString(), checks.permits(c));
            }
            RECORDS.token(copy, c, RECORDS.token(checks, c));
            RECORDS.slot(copy, c, RECORDS.slot(checks, c));
        }
        return copy;
    }
}
