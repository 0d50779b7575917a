package dev.limiter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code simulate}: synthetic load and traces through the engine on a simulated clock. */
class SimulateCommandTest {
    private static long count(String out, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), () -> "no match for " + regex + " in\n" + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aThousandPerSecondOnOneGrantForFiveSecondsAdmitsTwoHundredPerSecondOnEmail(@TempDir Path dir)
            throws IOException {
        Path html = dir.resolve("sim.html");
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--rate", "1000", "--duration", "5s", "--keys", "1",
                "--request", "GET /v3/grants/{key}/messages", "--html", html.toString());
        assertEquals(0, r.exit(), r.err());
        long admitted = count(r.out(), "^nylas3-email\\s+(\\d+)");
        long denied = count(r.out(), "^nylas3-email\\s+\\d+\\s+[\\d.]+\\s+(\\d+)");
        assertTrue(Math.abs(admitted / 5.0 - 200) <= 10, "admitted per second: " + admitted / 5.0);
        assertEquals(5000, admitted + denied);
        assertEquals(denied, count(r.out(), "^\\s+(\\d+)  Too many requests$"));
        assertTrue(r.out().startsWith("simulated 5000 requests over 5.000 s through policy nylas-v3 2024-06\n"), r.out());
        String page = Files.readString(html);
        assertTrue(page.contains("<svg id=\"chart\""), "no chart");
        assertEquals(50, page.split(" admitted</title>").length - 1, "one admitted bar per bucket");
        assertTrue(!page.contains("<script"), "the page must not need scripts");
        assertTrue(page.contains("<td>nylas3-email</td><td>" + admitted + "</td><td>200.0</td><td>" + denied + "</td>"), page);
    }

    @Test
    void manyGrantsStayUnderTheirOwnLimits() {
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--rate", "1000", "--duration", "2s", "--keys", "10",
                "--request", "GET /v3/grants/{key}/messages");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2000, count(r.out(), "^nylas3-email\\s+(\\d+)"));
    }

    @Test
    void aCsvTraceIsReplayedInOrder(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.csv");
        StringBuilder sb = new StringBuilder("time_ms,method,path,headers\n");
        for (int i = 0; i < 30; i++) {
            sb.append(i * 10).append(",POST,/v3/grants/g1/messages/send,Content-Type: multipart/form-data\n");
        }
        Files.writeString(trace, sb);
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--trace", trace.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(10, count(r.out(), "^nylas3-send-multipart\\s+(\\d+)"));
        assertEquals(20, count(r.out(), "^nylas3-send-multipart\\s+\\d+\\s+[\\d.]+\\s+(\\d+)"));
    }

    @Test
    void aJsonLinesTraceIsReplayed(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append("{\"time_ms\": ").append(i).append(", \"method\": \"GET\", \"path\": \"/v3/applications/x\","
                    + " \"headers\": {\"Authorization\": \"Bearer k\"}}\n");
        }
        Files.writeString(trace, sb);
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--trace", trace.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(50, count(r.out(), "^nylas3-applications\\s+(\\d+)"));
        assertTrue(r.out().contains("        10  Too many requests from this application\n"), r.out());
    }

    @Test
    void aMalformedTraceNamesItsLine(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("bad.csv");
        Files.writeString(trace, "0,GET,/a\nsoon,GET,/b\n");
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--trace", trace.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith(trace + ":2: "), r.err());
    }

    @Test
    void missingKeyRefusalsAreTheirOwnCategory(@TempDir Path dir) throws IOException {
        Path html = dir.resolve("sim.html");
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--rate", "100", "--duration", "1s", "--keys", "1",
                "--request", "GET /v3/grants/me/messages", "--html", html.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("admitted 0 (0.0/s), denied 0 (0.0/s), refused 100, matched no rule 0\n"), r.out());
        assertTrue(r.out().contains("\n       100  401 An API key or access token (Authorization: Bearer ...) is"
                + " required\n"), r.out());
        assertTrue(r.out().contains("nylas3-email                          0          0.0          0        100\n"),
                r.out());
        String page = Files.readString(html);
        assertTrue(page.contains("<td>nylas3-email</td><td>0</td><td>0.0</td><td>0</td><td>100</td>"), page);
        assertTrue(page.contains("<title>2 refused</title>"), page);
        assertTrue(page.contains("<td>401 An API key or access token (Authorization: Bearer ...) is required</td>"
                + "<td>100</td>"), page);
    }

    @Test
    void aShadowRuleNeverDeniesAndSaysWhatItWouldHaveDenied(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("shadow.policy");
        Files.writeString(policy, "policy p {\n    rule a {\n        shadow\n        route GET /a/{id}\n        key {id}\n"
                + "        limit fixed-window 10 per 1s\n        source \"d\" row r\n    }\n}\n");
        Run r = Run.of("simulate", "--policy", policy.toString(), "--rate", "100", "--duration", "1s", "--keys", "1",
                "--request", "GET /a/{key}");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("admitted 100 (100.0/s), denied 0 (0.0/s), refused 0, matched no rule 0\n"), r.out());
        assertTrue(r.out().contains("a (shadow)                           10         10.0         90          0\n"),
                r.out());
        assertTrue(r.out().contains("shadow rules (never deny): 90 requests would have been denied\n        90  a\n"),
                r.out());
        Run explain = Run.of("explain", "--policy", policy.toString(), "GET", "/a/x");
        assertTrue(explain.out().contains("\n  a\n    shadow   counts, never denies\n"), explain.out());
    }
}
