package dev.limiter.policy;

import dev.limiter.Limit;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * The matcher (with its automaton, and walking the trie) against a model that checks every route
 * of every rule directly, one by one: for random policies (templates over a tiny alphabet, so that overlaps are frequent; random
 * groups and methods) and random paths, both must select the same rules through the same routes.
 */
class RouteMatcherPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final String[] SEGMENTS = {"a", "b", "{v}", "*"};
    private static final String[] PATH = {"a", "b", "c"};
    private static final String[] METHODS = {"GET", "POST", "*"};

    /** A rule spec: group (or -1), then (method, template) pairs. */
    private static Gen<List<Integer>> ruleSpec() {
        return lists().of(integers().between(0, 63)).ofSizeBetween(1, 9);
    }

    @Test
    void trieSelectsWhatTheDirectModelSelects() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(ruleSpec()).ofSizeBetween(1, 6), lists().of(integers().between(0, 2))
                        .ofSizeBetween(0, 5), integers().between(0, 1))
                .checkAssert((specs, path, method) -> check(policy(specs), path(path), method == 0 ? "GET" : "POST"));
    }

    private static Policy policy(List<List<Integer>> specs) {
        Policy.Builder p = Policy.named("random");
        for (int r = 0; r < specs.size(); r++) {
            List<Integer> s = specs.get(r);
            String name = "r" + r;
            Rule.Builder b = Rule.named(name).key(KeyPart.shared("all")).limit(Limit.fixedWindow(name, 10, Duration.ofSeconds(1)).build())
                    .source("doc", name);
            int g = s.get(0) % 3;
            if (g > 0) {
                b.group("g" + g);
            }
            // Each further number is one route: 2 bits of method, then segments in base 4 (0-3 of them),
            // with a trailing '**' when the number is odd.
            List<String> seen = new ArrayList<>();
            for (int i = 1; i < s.size(); i++) {
                int x = s.get(i);
                StringBuilder t = new StringBuilder();
                int n = (x >> 1) % 4;
                int digits = x >> 3;
                for (int k = 0; k < n; k++) {
                    t.append('/').append(SEGMENTS[(digits >> (2 * k)) & 3]);
                }
                if ((x & 1) == 1) {
                    t.append("/**");
                }
                String template = t.length() == 0 ? "/" : t.toString();
                String method = METHODS[x % 3];
                if (!seen.contains(method + template)) {
                    seen.add(method + template);
                    b.route(method, template);
                }
            }
            if (seen.isEmpty()) {
                b.route("/**");
            }
            p.rule(b.build());
        }
        return p.build();
    }

    private static String path(List<Integer> segs) {
        StringBuilder sb = new StringBuilder();
        for (int s : segs) {
            sb.append('/').append(PATH[s]);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** Both ways of matching: the automaton with its plans, and the trie walk it replaces. */
    private static void check(Policy policy, String path, String method) {
        List<String> expected = model(policy, path, method);
        for (boolean determinise : new boolean[] {true, false}) {
            RouteMatcher m = RouteMatcher.compile(policy, determinise);
            MatchResult r = m.match(Request.of(method, path).build(), m.newResult());
            List<String> actual = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                actual.add(r.rule(i).name() + " via " + r.route(i).template());
            }
            assertEquals(expected, actual, () -> method + " " + path + " in " + policy
                    + (determinise ? " (automaton)" : " (trie walk)"));
        }
    }

    /** Selection done the obvious way: every route of every rule, matched segment by segment. */
    private static List<String> model(Policy policy, String path, String method) {
        String[] segs = path.equals("/") ? new String[0] : path.substring(1).split("/");
        List<Rule> rules = policy.rules();
        Route[] best = new Route[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            for (Route route : rules.get(i).routes()) {
                boolean methodOk = route.methods().isEmpty() || route.methods().contains(method);
                if (methodOk && matches(route.template().toString(), segs)
                        && (best[i] == null || route.template().compareTo(best[i].template()) > 0)) {
                    best[i] = route;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (best[i] == null) {
                continue;
            }
            String g = rules.get(i).group();
            boolean beaten = false;
            for (int j = 0; j < rules.size(); j++) {
                if (g != null && best[j] != null && g.equals(rules.get(j).group())
                        && best[j].template().compareTo(best[i].template()) > 0) {
                    beaten = true;
                }
            }
            if (!beaten) {
                out.add(rules.get(i).name() + " via " + best[i].template());
            }
        }
        return out;
    }

    private static boolean matches(String template, String[] path) {
        String[] t = template.equals("/") ? new String[0] : template.substring(1).split("/");
        for (int i = 0; i < t.length; i++) {
            if (t[i].equals("**")) {
                return true;
            }
            if (i >= path.length) {
                return false;
            }
            if (!(t[i].equals("*") || t[i].startsWith("{") || t[i].equals(path[i]))) {
                return false;
            }
        }
        return t.length == path.length;
    }
}
