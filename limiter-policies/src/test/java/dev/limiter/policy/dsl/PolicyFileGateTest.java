package dev.limiter.policy.dsl;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gate built from a file follows the file's valid changes, keeps unchanged rules' counters, and ignores broken ones. */
class PolicyFileGateTest {
    private final ManualClock clock = new ManualClock();

    private static String policy(long permits, boolean extraRule) {
        return "policy p {\n"
                + "    rule a {\n        route * /a\n        limit fixed-window " + permits + " per 1s\n"
                + "        source \"d\" row r\n        key header X-Caller\n    }\n"
                + (extraRule ? "    rule b {\n        route * /b\n        limit fixed-window 1 per 1s\n"
                        + "        source \"d\" row r\n        key header X-Caller\n    }\n" : "")
                + "}\n";
    }

    /** @return how many of {@code n} requests by {@code caller} on {@code path} were admitted */
    private int admitted(PolicyGate gate, String path, String caller, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            Verdict v = gate.evaluate(Request.of("GET", path).header("X-Caller", caller).build());
            try {
                ok += v.allowed() ? 1 : 0;
            } finally {
                v.complete();
            }
        }
        return ok;
    }

    @Test
    void validChangesAreSwappedInAndBrokenOnesNeverReplaceTheWorkingPolicy(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gate.policy");
        Files.writeString(f, policy(2, false));
        try (PolicyFileGate files = PolicyFileGate.open(f, p -> PolicyGate.builder(p).clock(clock).build())) {
            PolicyGate gate = files.gate();
            assertEquals(2, admitted(gate, "/a", "c1", 3), "the file's limit of 2 is enforced");

            Files.writeString(f, policy(5, false));
            assertEquals(PolicyFiles.Outcome.ACCEPTED, files.reload());
            assertSame(gate, files.gate(), "one gate for the life of the file");
            assertEquals(5, gate.policy().rule("a").limit().permits());
            assertEquals(5, admitted(gate, "/a", "c1", 6), "a changed limit starts fresh: 5 in the same window");

            Files.writeString(f, policy(5, false).replace("fixed-window", "leaky-bucket"));
            assertEquals(PolicyFiles.Outcome.REJECTED, files.reload());
            assertTrue(files.lastErrors().get(0).summary().startsWith(f + ":4:15: unknown algorithm 'leaky-bucket'"),
                    files.lastErrors().get(0).summary());
            assertEquals(5, gate.policy().rule("a").limit().permits(), "the broken file changed nothing");
            assertEquals(0, admitted(gate, "/a", "c1", 1), "and c1's counter is still the working policy's");

            Files.writeString(f, policy(5, true));
            assertEquals(PolicyFiles.Outcome.ACCEPTED, files.reload());
            assertEquals(0, admitted(gate, "/a", "c1", 1), "an unchanged rule keeps its counters across the swap");
            assertEquals(1, admitted(gate, "/b", "c1", 2), "the new rule applies at once");

            clock.advance(java.time.Duration.ofSeconds(1).toNanos());
            assertEquals(5, admitted(gate, "/a", "c1", 6), "the next window opens as the file says");
        }
    }

    @Test
    void aBrokenFirstFileBuildsNoGate(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gate.policy");
        Files.writeString(f, "policy p {\n");
        int[] built = {0};
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class,
                () -> PolicyFileGate.open(f, p -> { built[0]++; return PolicyGate.builder(p).clock(clock).build(); }));
        assertEquals(f + ":2:1: expected '}' closing the policy opened at line 1, found end of file",
                e.errors().get(0).summary());
        assertEquals(0, built[0]);
    }
}
