package dev.limiter.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fails the build when a benchmark configuration would measure the wrong path. */
class SanityCheckTest {

    @Test
    void everyAllowedSetupGrantsAndEveryDeniedSetupRefuses() {
        assertEquals(List.of(), SanityCheck.failures());
    }

    @Test
    void aSetupThatAnswersAgainstItsSettingIsReported() {
        List<String> failures = new ArrayList<>();
        SanityCheck.expect("always grants, said to deny", false, () -> true, failures);
        SanityCheck.expect("always denies, said to grant", true, () -> false, failures);
        SanityCheck.expect("right", true, () -> true, failures);
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("always grants, said to deny: " + SanityCheck.CALLS + " of"));
    }
}
