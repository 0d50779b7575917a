package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reloading: a valid change becomes current, a broken one never replaces the working policy and says why. */
class PolicyFilesTest {
    private static String policy(long permits) {
        return "policy p {\n    rule a {\n        route * /a\n        limit fixed-window " + permits + " per 1s\n"
                + "        source \"d\" row r\n        key client-address\n    }\n}\n";
    }

    private final List<String> events = new ArrayList<>();
    private final PolicyFiles.Listener listener = new PolicyFiles.Listener() {
        @Override
        public void accepted(PolicyDocument previous, PolicyDocument next) {
            events.add("accepted " + previous.policy().rule("a").limit().permits() + " -> "
                    + next.policy().rule("a").limit().permits());
        }

        @Override
        public void rejected(Path file, List<PolicyError> errors, PolicyDocument kept) {
            events.add("rejected, kept " + kept.policy().rule("a").limit().permits() + ": " + errors.get(0).summary()
                    .replace(file.toString(), "FILE"));
        }
    };

    @Test
    void validChangesAreSwappedInAndBrokenOnesKeepTheWorkingPolicy(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.policy");
        Files.writeString(f, policy(10));
        PolicyFiles files = PolicyFiles.load(f, listener);
        Policy first = files.get();
        assertEquals(10, first.rule("a").limit().permits());
        assertEquals(PolicyFiles.Outcome.UNCHANGED, files.reload());
        assertSame(first, files.get());

        Files.writeString(f, policy(20));
        assertEquals(PolicyFiles.Outcome.ACCEPTED, files.reload());
        assertEquals(20, files.get().rule("a").limit().permits());

        Files.writeString(f, policy(20).replace("fixed-window", "leaky"));
        assertEquals(PolicyFiles.Outcome.REJECTED, files.reload());
        assertEquals(20, files.get().rule("a").limit().permits());
        assertEquals("FILE:4:15: unknown algorithm 'leaky': expected token-bucket, fixed-window, sliding-window,"
                + " concurrency, quota or cardinality", files.lastErrors().get(0).summary().replace(f.toString(), "FILE"));
        assertEquals(PolicyFiles.Outcome.UNCHANGED, files.reload(), "the same broken text is reported once");

        Files.delete(f);
        assertEquals(PolicyFiles.Outcome.REJECTED, files.reload());
        assertTrue(files.lastErrors().get(0).message().startsWith("cannot read the file: "));
        assertEquals(20, files.get().rule("a").limit().permits());

        Files.writeString(f, policy(30));
        assertEquals(PolicyFiles.Outcome.ACCEPTED, files.reload());
        assertEquals(List.of(), files.lastErrors());
        assertEquals(List.of("accepted 10 -> 20",
                "rejected, kept 20: FILE:4:15: unknown algorithm 'leaky': expected token-bucket, fixed-window,"
                        + " sliding-window, concurrency, quota or cardinality",
                events.get(2), "accepted 20 -> 30"), events);
        assertTrue(events.get(2).startsWith("rejected, kept 20: FILE:1:1: cannot read the file: "), events.get(2));
    }

    @Test
    void aBrokenFileCannotBeTheFirstPolicy(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.policy");
        Files.writeString(f, "policy p {\n");
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicyFiles.load(f, listener));
        assertEquals(f + ":2:1: expected '}' closing the policy opened at line 1, found end of file",
                e.errors().get(0).summary());
    }
}
