package dev.limiter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code check} and {@code fmt}: exit codes, positioned errors and canonical output. */
class CheckAndFmtCommandTest {
    static final String[] SHIPPED = {"nylas-v3", "nylas-v2", "context-io-lite", "context-io-2", "context-io",
        "google", "google-current", "microsoft", "icloud"};

    @Test
    void checkPassesOnEveryShippedFile() {
        List<String> args = new ArrayList<>(List.of("check"));
        for (String s : SHIPPED) {
            args.add("shipped:" + s);
        }
        Run r = Run.of(args.toArray(new String[0]));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("shipped:nylas-v3: ok (policy nylas-v3 2024-06, 12 rules)"), r.out());
        assertEquals(SHIPPED.length, r.out().lines().count());
    }

    @Test
    void checkReportsEveryErrorWithItsLineAndCaretAndExitsOne(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.policy");
        Files.writeString(bad, "policy p {\n    rule a {\n        route * /a\n        limit leaky 5 per 1 s\n"
                + "        source \"d\" row r\n    }\n    rule b {\n        route GET\n    }\n}\n");
        Run r = Run.of("check", bad.toString());
        assertEquals(1, r.exit());
        assertEquals(bad + ":4:27: expected a period such as 1s, 10m, 1h or 1d, found number 1\n"
                + "        limit leaky 5 per 1 s\n"
                + "                          ^\n"
                + bad + ":8:18: expected a path template such as /v3/grants/{grant_id}/messages/**, found end of line\n"
                + "        route GET\n"
                + "                 ^\n"
                + bad + ": 2 errors\n", r.err());
    }

    @Test
    void checkOfAMissingFileExitsOne() {
        Run r = Run.of("check", "/nonexistent/x.policy");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("/nonexistent/x.policy: cannot read"), r.err());
    }

    @Test
    void fmtPrintsTheCanonicalFormAndCheckTellsWhetherAFileIsInIt(@TempDir Path dir) throws IOException {
        Path messy = dir.resolve("messy.policy");
        Files.writeString(messy, "policy p {\nrule a {\nlimit quota 5\n  route   get,post   /a/\nsource \"d\" row r\n"
                + "key   header   Api-Key   or-shared  \"anonymous\"\ncatch-all\n}\n}\n");
        Run fmt = Run.of("fmt", messy.toString());
        assertEquals(0, fmt.exit(), fmt.err());
        assertEquals("policy p {\n    version \"1\"\n    error-type \"rate_limit_exceeded\"\n\n    rule a {\n"
                + "        catch-all\n        route GET,POST /a\n        key header Api-Key or-shared \"anonymous\"\n"
                + "        limit quota 5\n        message \"Too many requests\"\n"
                + "        source \"d\" row r\n    }\n}\n", fmt.out());
        Run check = Run.of("fmt", "--check", messy.toString());
        assertEquals(1, check.exit());
        assertEquals(messy + ": not in canonical form (first difference at line 2); run 'limiter fmt " + messy + "'\n",
                check.err());
        Path canonical = dir.resolve("canonical.policy");
        Files.writeString(canonical, fmt.out());
        assertEquals(0, Run.of("fmt", "--check", canonical.toString()).exit());
        for (String s : SHIPPED) {
            assertEquals(0, Run.of("fmt", "--check", "shipped:" + s).exit(), s);
        }
    }

    @Test
    void aMissingCommandOrOptionIsAUsageError() {
        assertEquals(2, Run.of().exit());
        assertEquals(2, Run.of("explain", "GET", "/").exit());
    }
}
