package dev.limiter.policy;

import dev.limiter.policy.shipped.NylasV3;
import org.eclipse.jetty.http.HttpURI;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Differential property with a real server's URI handling as the reference: for a Nylas v3 path
 * and a random spelling of it (percent escapes in either hex case, dot segments, encoded dots,
 * path parameters, doubled slashes, method and auth-scheme case), whenever Jetty 12 maps both to
 * the same decoded path, the matcher must select the same rules through the same routes, at the
 * same cost, under the same keys: the same counters. Spellings Jetty decodes differently (an
 * empty segment it keeps, say) constrain nothing, and the test counts how many agreed so that
 * the property is never vacuous.
 */
class CanonicalJettyPropertyTest {
    /** At least this many spellings Jetty agrees on must be checked, whatever the configured effort. */
    private static final int AGREED_FLOOR = 10_000;
    private static final int EXAMPLES = Math.max(3 * AGREED_FLOOR / 2,
            Integer.getInteger("limiter.property.examples", 1000));

    private static final String[] BASES = {
        "/v3/grants/{g}/messages", "/v3/grants/{g}/messages/{m}", "/v3/grants/{g}/threads",
        "/v3/grants/{g}/messages/send", "/v3/grants/{g}/resources", "/v3/grants/{g}", "/v3/grants/{g}/events",
        "/v3/webhooks", "/v3/connect/token", "/v3/calendars/availability", "/v2/other",
    };
    private static final String[] GRANTS = {"g1", "g2", "me", "x~y", "caf\u00e9"};
    private static final String[] MESSAGES = {"m1", "m-2"};
    private static final String[] METHODS = {"GET", "POST", "DELETE"};

    private static final RouteMatcher MATCHER = RouteMatcher.compile(NylasV3.policy());

    @Test
    void spellingsJettyDecodesAlikeHitTheSameRulesAndCounters() {
        AtomicInteger agreed = new AtomicInteger();
        qt().withExamples(EXAMPLES)
                .forAll(integers().between(0, 1 << 20), lists().of(integers().between(0, 1023)).ofSizeBetween(0, 12))
                .checkAssert((base, choices) -> {
                    if (check(base, choices)) {
                        agreed.incrementAndGet();
                    }
                });
        assertTrue(agreed.get() >= AGREED_FLOOR, () -> "only " + agreed + " of " + EXAMPLES
                + " spellings decoded alike in Jetty: the generator no longer exercises the property");
    }

    /** @return whether Jetty decoded both spellings alike (and so the matcher was checked) */
    private static boolean check(int base, List<Integer> choices) {
        String method = METHODS[base % METHODS.length];
        String[] segments = base(base / METHODS.length);
        String plain = plain(segments);
        Choices c = new Choices(choices);
        String spelled = spell(segments, c);
        String jettyPlain = jetty(plain);
        String jettySpelled = jetty(spelled);
        if (jettySpelled == null || !jettySpelled.equals(jettyPlain)) {
            return false;
        }
        String otherMethod = c.next(2) == 1 ? method.toLowerCase(java.util.Locale.ROOT) : method;
        String scheme = c.next(2) == 1 ? "bearer" : "Bearer";
        RequestView a = Request.of(method, plain).header("Authorization", "Bearer k1").build();
        RequestView b = Request.of(otherMethod, spelled).header("Authorization", scheme + "   k1 ").build();
        assertEquals(describe(a), describe(b), () -> "Jetty decodes both to " + jettyPlain + ":\n  " + method + " "
                + plain + "\n  " + otherMethod + " " + spelled);
        return true;
    }

    /** The rules, routes, costs and keys the matcher selects, or its refusal, as text. */
    private static String describe(RequestView r) {
        MatchResult m = MATCHER.match(r, MATCHER.newResult());
        if (m.refusalStatus() != 0) {
            return "refused " + m.refusalStatus() + ": " + m.refusalMessage();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            out.add(m.rule(i).name() + " via " + m.route(i) + " cost " + m.cost(i) + " key " + escape(m.key(i)));
        }
        return m.canonicalMethod() + " " + m.canonicalPath() + " " + out;
    }

    private static String escape(CharSequence key) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            b.append(ch < 0x20 ? "\\" + (int) ch + "," : String.valueOf(ch));
        }
        return b.toString();
    }

    /** @return Jetty's decoded path of a request target, or null when Jetty cannot parse it */
    static String jetty(String target) {
        try {
            return HttpURI.build().pathQuery(target).getDecodedPath();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String[] base(int n) {
        String t = BASES[n % BASES.length];
        n /= BASES.length;
        t = t.replace("{g}", GRANTS[n % GRANTS.length]);
        n /= GRANTS.length;
        t = t.replace("{m}", MESSAGES[n % MESSAGES.length]);
        return t.substring(1).split("/");
    }

    /** The plain spelling: only what must be escaped is (non-ASCII as UTF-8). */
    private static String plain(String[] segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/');
            for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
                if (x < 0) {
                    b.append('%').append(String.format("%02X", x & 0xff));
                } else {
                    b.append((char) x);
                }
            }
        }
        return b.toString();
    }

    /** A random spelling of the same segments. */
    private static String spell(String[] segments, Choices c) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/');
            for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
                if (x < 0 || c.next(4) == 1) {
                    String hex = String.format("%02X", x & 0xff);
                    b.append('%').append(c.next(2) == 1 ? hex.toLowerCase(java.util.Locale.ROOT) : hex);
                } else {
                    b.append((char) x);
                }
            }
            if (c.next(5) == 1) {
                b.append(";p=").append(c.next(10));
            }
            b.append(NOISE[c.next(NOISE.length)]);
        }
        return b.toString();
    }

    /** Segment sequences inserted after a segment; each leaves the path unchanged by RFC 3986 §5.2.4. */
    private static final String[] NOISE = {
        "", "", "", "/.", "/zz/..", "/%2e", "/zz/%2E%2e", "/zz;q=1/..;r", "/.;x", "/zz//../..", "/zz/%2e.", "//",
    };

    /** Reads the generated choices in turn, 0 once they run out (so shrinking toward plain spellings). */
    private static final class Choices {
        private final List<Integer> values;
        private int next;

        Choices(List<Integer> values) {
            this.values = values;
        }

        int next(int bound) {
            return next < values.size() ? values.get(next++) % bound : 0;
        }
    }
}
