package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway on the shipped Nylas v3 policy with its default tables: distinct grant ids, random or
 * hostile, no longer fill a table for good. Idle keys are evicted, a table truly full of live keys
 * says when a slot can free, and a real grant is admitted once the junk has gone idle.
 */
class GateIdleKeysTest {
    private static final String EMAIL = "nylas3-email";

    /** What a verdict said, read before it is completed. */
    record Seen(boolean allowed, Outcome outcome, int status, long retryAfterNanos) {
    }

    private static Seen get(PolicyGate gate, String grant) {
        Verdict v = gate.evaluate(Request.of("GET", "/v3/grants/" + grant + "/messages").build());
        Seen seen = new Seen(v.allowed(), v.outcome(), v.status(), v.retryAfterNanos());
        v.complete();
        return seen;
    }

    /** The scenario of the issue: 70,000 junk grant ids, then a real grant a day later. */
    @Test
    void aRealGrantIsAdmittedADayAfter70000JunkGrants() {
        ManualClock clock = new ManualClock();
        try (PolicyGate gate = PolicyGate.of(NylasV3.policy(), clock)) {
            for (int i = 0; i < 70_000; i++) {
                clock.advance(1_000);
                assertTrue(get(gate, "junk" + i).allowed(), "junk" + i);
            }
            clock.advance(Duration.ofDays(1).toNanos());
            Seen legit = get(gate, "legit-grant");
            assertEquals(Outcome.ALLOWED, legit.outcome());
            assertTrue(legit.allowed());
        }
    }

    /**
     * Three tables' worth of junk at one instant: every junk key is live (its count stays until its
     * one-second window ends), so the table is truly full and says so, with the time when a rotation
     * can free a slot; once that time has passed, the junk is evicted and the real grant admitted.
     */
    @Test
    void aTableFullOfLiveKeysSaysSoAndRecovers() {
        ManualClock clock = new ManualClock();
        try (PolicyGate gate = PolicyGate.of(NylasV3.policy(), clock)) {
            int full = 0;
            Seen last = null;
            for (int i = 0; i < 3 * PolicyGate.DEFAULT_CAPACITY; i++) {
                Seen v = get(gate, "junk" + i);
                if (!v.allowed()) {
                    full++;
                    last = v;
                    assertEquals(Outcome.TABLE_FULL_DENIED, v.outcome());
                    assertEquals(429, v.status());
                }
            }
            assertTrue(full > 0, "a table of live keys does fill up");
            assertEquals(Duration.ofSeconds(1).toNanos(), last.retryAfterNanos(),
                    "retry when the junk's window ends (the earliest decay), not never and not 'now'");
            long keys = gate.limiter(EMAIL).keyCount();
            assertTrue(keys <= 2 * PolicyGate.DEFAULT_CAPACITY + 64, keys + " keys held");
            assertEquals(Outcome.TABLE_FULL_DENIED, get(gate, "legit-grant").outcome(), "not before then");
            clock.advance(last.retryAfterNanos());
            assertTrue(get(gate, "legit-grant").allowed());
            assertTrue(((OffHeapEngine) gate.engine()).eviction().evictions(EMAIL) > 0);
        }
    }
}
