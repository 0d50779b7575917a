package dev.limiter.policy;

import dev.limiter.policy.shipped.ContextIo;
import dev.limiter.policy.shipped.ContextIo2;
import dev.limiter.policy.shipped.ContextIoLite;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import dev.limiter.policy.shipped.UpstreamProviders;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The compiled matcher against a reference that checks every route of every rule of a shipped
 * policy directly, on requests built from the policy's own templates plus noise (case changes,
 * doubled slashes, dot segments, escapes, path parameters, queries, swapped or dropped segments,
 * other methods): both must canonicalise the path alike (the reference with the general pass
 * only, never the fast path) and select the same rules through routes of the same specificity,
 * with the same costs and the same path variables.
 */
class ShippedRouteMatchPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final Policy[] POLICIES = {
        NylasV3.policy(), NylasV2.policy(), ContextIo.policy(), ContextIo2.policy(), ContextIoLite.policy(),
        UpstreamProviders.google(), UpstreamProviders.googleCurrent(), UpstreamProviders.microsoft(),
        UpstreamProviders.icloud(),
    };
    private static final String[] METHODS = {"GET", "POST", "HEAD", "get", "Post", "PUT", "DELETE", "PATCH"};
    private static final String[] VALUES = {"me", "ME", "g1", "grant-7", "x%41y", "a.b", "v3", "messages", "%C3%A9"};
    private static final String[] CONTENT_TYPES = {
        "application/json", "multipart/form-data; boundary=b", "text/plain", " Application/JSON ", null,
    };

    @Test
    void theCompiledMatcherSelectsWhatTheReferenceSelects() {
        qt().withExamples(EXAMPLES)
                .forAll(integers().between(0, POLICIES.length - 1), longs().all())
                .checkAssert((p, seed) -> check(POLICIES[p], new Random(seed)));
    }

    private static void check(Policy policy, Random random) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String path = path(policy, random);
        Request.Builder b = Request.of(method, path);
        if (random.nextInt(10) > 0) {
            b.header("Authorization", "Bearer key-" + random.nextInt(3));
        }
        b.header("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
        Request request = b.build();
        RouteMatcher m = RouteMatcher.compile(policy);
        MatchResult r = m.match(request, m.newResult());
        String where = method + " " + path + " in " + policy.name();

        CanonicalPath general = new CanonicalPath();
        if (!general.canonicaliseInGeneral(path)) {
            assertEquals(400, r.refusalStatus(), where);
            return;
        }
        assertEquals(general.toString(), r.canonicalPath(), where);
        List<Applied> expected = reference(policy, canonicalMethod(method), general, request);
        if (r.refusalStatus() != 0) { // a key part the rule needs is missing: it must be one of the applying rules
            assertTrue(expected.stream().anyMatch(a -> a.rule == r.refusingRule()), where);
            return;
        }
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            actual.add(r.rule(i).name() + " specificity " + r.route(i).template().specificity() + " cost " + r.cost(i));
            for (String v : r.route(i).template().variables()) {
                PathTemplate t = r.route(i).template();
                int seg = 0;
                while (!("{" + v + "}").equals(segmentOf(t, seg))) {
                    seg++;
                }
                assertEquals(segment(general, seg), r.variable(i, v), where);
            }
        }
        List<String> want = new ArrayList<>();
        for (Applied a : expected) {
            long c = a.route.cost() == Route.DEFAULT_COST ? a.rule.cost() : a.route.cost();
            want.add(a.rule.name() + " specificity " + a.route.template().specificity() + " cost " + c);
        }
        assertEquals(want, actual, where);
    }

    /** A request path: one of the policy's templates filled in, then noise. */
    private static String path(Policy policy, Random random) {
        List<String> segs = new ArrayList<>();
        Rule rule = policy.rules().get(random.nextInt(policy.rules().size()));
        PathTemplate t = rule.routes().get(random.nextInt(rule.routes().size())).template();
        for (int s = 0; s < t.segmentCount(); s++) {
            String v = segmentOf(t, s);
            if (v.equals("**")) {
                for (int k = random.nextInt(3); k > 0; k--) {
                    segs.add(VALUES[random.nextInt(VALUES.length)]);
                }
            } else if (v.equals("*") || v.startsWith("{")) {
                segs.add(VALUES[random.nextInt(VALUES.length)]);
            } else {
                segs.add(random.nextInt(5) == 0 ? v.toUpperCase(Locale.ROOT) : v);
            }
        }
        for (int k = random.nextInt(3); k > 0; k--) {
            noise(segs, random);
        }
        StringBuilder sb = new StringBuilder();
        for (String s : segs) {
            sb.append('/').append(s);
        }
        if (sb.length() == 0 || random.nextInt(8) == 0) {
            sb.append('/');
        }
        switch (random.nextInt(6)) {
            case 0: sb.append("?limit=10&client_id=abc"); break;
            case 1: sb.append("#top"); break;
            default: break;
        }
        return sb.toString();
    }

    private static void noise(List<String> segs, Random random) {
        int at = segs.isEmpty() ? 0 : random.nextInt(segs.size());
        switch (random.nextInt(8)) {
            case 0: segs.add(at, ""); break;                  // a doubled slash
            case 1: segs.add(at, "."); break;
            case 2: segs.add(at, ".."); segs.add(at, "zz"); break;
            case 3: if (!segs.isEmpty()) { segs.remove(at); } break;
            case 4: if (!segs.isEmpty()) { segs.set(at, VALUES[random.nextInt(VALUES.length)]); } break;
            case 5: if (!segs.isEmpty()) { segs.set(at, segs.get(at) + ";jsessionid=1"); } break;
            case 6: if (!segs.isEmpty() && !segs.get(at).isEmpty()) { // escape the first char
                String s = segs.get(at);
                segs.set(at, String.format("%%%02X", (int) s.charAt(0)) + s.substring(1));
            } break;
            default: segs.add(at, "%2E%2E"); segs.add(at, "x"); break;
        }
    }

    private static String canonicalMethod(String method) {
        String m = method.toUpperCase(Locale.ROOT);
        return m.equals("HEAD") ? "GET" : m;
    }

    private static String segmentOf(PathTemplate t, int s) {
        String text = t.toString();
        String[] parts = text.equals("/") ? new String[0] : text.substring(1).split("/");
        return parts[s];
    }

    private static String segment(CanonicalPath p, int s) {
        return p.toString().substring(p.segmentStart(s), p.segmentEnd(s));
    }

    /** One applying rule and the route it applies through. */
    private static final class Applied {
        final Rule rule;
        final Route route;

        Applied(Rule rule, Route route) {
            this.rule = rule;
            this.route = route;
        }
    }

    /**
     * Selection done the obvious way, as the matcher documents it: every route of every rule
     * matched segment by segment; each rule keeps its most specific route taking the method; rules
     * whose conditions fail drop out; a catch-all drops out while a regular rule (of its group)
     * applies; within a group only the most specific remain; exempted rules drop out last.
     */
    private static List<Applied> reference(Policy policy, String method, CanonicalPath path, RequestView request) {
        String[] segs = new String[path.segmentCount()];
        for (int s = 0; s < segs.length; s++) {
            segs[s] = segment(path, s);
        }
        List<Rule> rules = policy.rules();
        int n = rules.size();
        Route[] best = new Route[n];
        for (int i = 0; i < n; i++) {
            for (Route route : rules.get(i).routes()) {
                boolean methodOk = route.methods().isEmpty() || route.methods().contains(method);
                if (methodOk && matches(route.template(), segs)
                        && (best[i] == null || route.template().compareTo(best[i].template()) > 0)) {
                    best[i] = route;
                }
            }
            if (best[i] != null && !rules.get(i).conditions().stream().allMatch(c -> c.test(request))) {
                best[i] = null;
            }
        }
        List<Applied> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Rule r = rules.get(i);
            if (best[i] == null || suppressed(rules, best, i)
                    || r.exemptions().stream().anyMatch(c -> c.test(request))) {
                continue;
            }
            out.add(new Applied(r, best[i]));
        }
        return out;
    }

    private static boolean suppressed(List<Rule> rules, Route[] best, int i) {
        Rule r = rules.get(i);
        for (int j = 0; j < rules.size(); j++) {
            Rule o = rules.get(j);
            if (best[j] == null) {
                continue;
            }
            boolean sameGroup = r.group() != null && r.group().equals(o.group());
            if (r.catchAll() && !o.catchAll() && (r.group() == null || sameGroup)) {
                return true;
            }
            if (sameGroup && r.catchAll() == o.catchAll() && best[j].template().compareTo(best[i].template()) > 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(PathTemplate template, String[] path) {
        String text = template.toString();
        String[] t = text.equals("/") ? new String[0] : text.substring(1).split("/");
        for (int i = 0; i < t.length; i++) {
            if (t[i].equals("**")) {
                return true;
            }
            if (i >= path.length) {
                return false;
            }
            if (!(t[i].equals("*") || t[i].startsWith("{") || lowerAscii(t[i]).equals(lowerAscii(path[i])))) {
                return false;
            }
        }
        return t.length == path.length;
    }

    private static String lowerAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }
}
