package dev.limiter.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fails the build when a benchmark configuration would measure the wrong path. */
class SanityCheckTest {

    @Test
    void everyAllowedSetupGrantsAndEveryDeniedSetupRefuses() {
        assertEquals(java.util.List.of(), SanityCheck.failures());
    }
}
