package dev.limiter.internal;

import dev.limiter.Checks;

/**
 * Reads and writes what an engine records in each check of a {@link Checks} list: where the
 * check's key lives (its slot) and what the check holds (a concurrency lease's token, 0 for
 * nothing). Users cannot see these records. Obtained from {@link EngineAccess#checks()}; stateless
 * and thread-safe (the list is not).
 */
public interface CheckRecords {

    /**
     * @return the engine's resolved location of check {@code i}'s key
     * @throws IndexOutOfBoundsException when there is no check {@code i}
     */
    long slot(Checks checks, int i);

    /**
     * Records where check {@code i}'s key lives.
     *
     * @throws IndexOutOfBoundsException when there is no check {@code i}
     */
    void slot(Checks checks, int i, long slot);

    /**
     * @return what check {@code i} holds (a concurrency lease's identity); 0 when it holds nothing
     * @throws IndexOutOfBoundsException when there is no check {@code i}
     */
    long token(Checks checks, int i);

    /**
     * Records what check {@code i} holds.
     *
     * @throws IndexOutOfBoundsException when there is no check {@code i}
     */
    void token(Checks checks, int i, long token);
}
