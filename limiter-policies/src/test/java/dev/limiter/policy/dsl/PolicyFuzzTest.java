package dev.limiter.policy.dsl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutates the shipped policy files (character flips, truncations, deletions, duplicated lines and
 * tokens spliced in from a pool of the language's words and of hostile text) and parses each
 * result: every outcome must be a policy or an {@link InvalidPolicyException} whose errors carry a
 * line and column inside the file, and a policy prints to a file that parses back to it; any other
 * exception fails with the input that caused it.
 */
class PolicyFuzzTest {
    static final String[] SHIPPED = {"nylas-v3", "nylas-v2", "context-io-lite", "context-io-2", "context-io",
        "google", "google-current", "microsoft", "icloud"};
    private static final int MUTATIONS = Integer.getInteger("limiter.fuzz.mutations", 100_000);
    private static final String[] SPLICE = {"{", "}", "\"", "\\", "\\u", "\\u12", "#", "\n", "\r\n", ",", "=", "*",
        "rule", "policy", "route", "limit", "key", "member", "missing", "when", "except", "cost", "group",
        "message", "override", "source", "row", "shadow", "catch-all", "raise", "lift", "to", "for", "per",
        "burst", "sub-windows", "max-hold", "name", "token-bucket", "fixed-window", "sliding-window",
        "concurrency", "quota", "cardinality", "leaky-bucket", "fixed", "raisable", "lifted-when-verified",
        "0", "-1", "99999999999999999999", "9223372036854775807", "1099511627777", "0s", "1s", "9999999999d", "5x",
        "/", "//", "/**/a", "/{", "/{a}/{a}", "/a?b", "{grant_id}", "{", "header", "attribute", "present",
        "media-type", "content-type", "\"text\"", "\"a/b\"", "endpoint", "client-address", "route", "\u0000",
        "\ud800", "\ud83d\ude00", "\u00e9", "\t", "GET,", ",POST", "or", "or-shared", "or-refuse 401", "substitute \"me\" with", "query",
        "shared", "(", ")", "((", "))", "or (", "or-shared \"b\"", "or-refuse 401 \"m\"", "or-refuse 200 \"m\"",
        "or-refuse 99999999999 \"m\"", "shared \"p\"", "shared \"\"", "query client_id", "or client-address",
        "or route", "or {grant_id}", "substitute \"me\" with (header A or-refuse 401 \"m\")",
        "catch-all\n        route * /**\n", "catch-all", "/a/./b", "/a/../b", "/.", "/..", "/a;b", ";", "/./", "/../",
        "/%2e%2e/"};

    static String shipped(String name) throws IOException {
        try (InputStream in = PolicyFuzzTest.class.getResourceAsStream("/dev/limiter/policy/shipped/" + name + ".policy")) {
            if (in == null) {
                throw new IOException("missing shipped policy " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void mutatedShippedFilesYieldOnlyPoliciesOrPositionedErrors() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (String s : SHIPPED) {
            seeds.add(shipped(s));
        }
        SplittableRandom random = new SplittableRandom(20261130L);
        int valid = 0;
        int invalid = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < MUTATIONS; i++) {
            String input = mutate(seeds.get(random.nextInt(seeds.size())), random, seeds);
            try {
                PolicyDocument doc = PolicyParser.parse("fuzz.policy", input);
                assertEquals(doc.policy(), PolicyParser.parse("printed.policy", PolicyPrinter.print(doc)).policy(),
                        () -> "a valid mutation does not survive printing:\n" + input);
                valid++;
            } catch (InvalidPolicyException e) {
                invalid++;
                checkPositions(e, input);
            } catch (RuntimeException | Error e) {
                fail("mutation " + i + " threw " + e + " for input:\n" + input, e);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
        System.out.printf("fuzz: %d mutated policy files in %d ms (%d ms of CPU): %d valid, %d rejected with"
                + " positioned errors%n", MUTATIONS, millis, cpuMillis, valid, invalid);
        assertEquals(MUTATIONS, valid + invalid);
        assertTrue(invalid > MUTATIONS / 2, "most mutations should break the file; only " + invalid + " did");
    }

    static void checkPositions(InvalidPolicyException e, String input) {
        assertFalse(e.errors().isEmpty(), "an InvalidPolicyException without errors");
        int lines = 1;
        for (int i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) {
            lines++;
        }
        for (PolicyError err : e.errors()) {
            assertTrue(err.line() >= 1 && err.line() <= lines, () -> "line out of the file: " + err.summary());
            assertTrue(err.column() >= 1 && err.column() <= err.lineText().length() + 1,
                    () -> "column out of the line: " + err.summary());
            assertTrue(err.render().startsWith("fuzz.policy:" + err.line() + ":" + err.column() + ": "), err::render);
            assertTrue(err.render().endsWith("^"), err::render);
        }
    }

    static String mutate(String seed, SplittableRandom r, List<String> seeds) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(6)) {
                case 0:
                    sb.setCharAt(at, (char) (sb.charAt(at) ^ (1 << r.nextInt(7))));
                    break;
                case 1:
                    sb.setLength(at);
                    break;
                case 2:
                    sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(20)));
                    break;
                case 3:
                    sb.insert(at, SPLICE[r.nextInt(SPLICE.length)]);
                    break;
                case 4:
                    String other = seeds.get(r.nextInt(seeds.size()));
                    int from = r.nextInt(other.length());
                    sb.insert(at, other, from, Math.min(other.length(), from + 1 + r.nextInt(60)));
                    break;
                default:
                    int lineStart = sb.lastIndexOf("\n", at) + 1;
                    int lineEnd = sb.indexOf("\n", at);
                    String line = sb.substring(lineStart, lineEnd < 0 ? sb.length() : lineEnd + 1);
                    sb.insert(lineStart, line);
            }
        }
        return sb.toString();
    }
}
