package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Shadow mode against enforcing gates fed the same trace. For random policies (one to three
 * fixed-window or token-bucket rules over two routes, each rule shadow or not, or the whole policy
 * shadow) and random request traces:
 * <ul>
 *   <li>the gate admits exactly what an enforcing gate of its enforcing rules alone admits (all,
 *       when every rule is shadow): a shadow rule never denies and never changes an enforcing
 *       decision;</li>
 *   <li>a shadow rule reports a would-be denial on exactly the requests an enforcing gate of that
 *       rule alone denies, when fed the requests the enforcing rules admitted;</li>
 *   <li>each rule's counters equal the counts of those enforcing gates.</li>
 * </ul>
 */
class ShadowPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final String[] ROUTES = {"/a/{id}", "/b/{id}"};

    @Test
    void shadowRulesCountWhatEnforcingRulesWouldDenyAndNeverDeny() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(1, 3), booleans().all(),
                        lists().of(integers().between(0, 63)).ofSizeBetween(1, 60))
                .checkAssert(ShadowPropertyTest::check);
    }

    /** A rule spec: bits 0-1 route set (1 a, 2 b, 3 both; 0 is both), bit 2 token bucket, bits 3-4 N - 1, bit 5 shadow. */
    static Rule rule(int index, int spec, boolean shadow) {
        String name = "r" + index;
        int routes = (spec & 3) == 0 ? 3 : spec & 3;
        long n = ((spec >> 3) & 3) + 1;
        Limit limit = (spec & 4) != 0 ? Limit.tokenBucket(name, n, Duration.ofSeconds(1)).build()
                : Limit.fixedWindow(name, n, Duration.ofSeconds(1)).build();
        Rule.Builder b = Rule.named(name).key(KeyPart.pathVariable("id")).limit(limit).source("doc", name).shadow(shadow);
        for (int r = 0; r < ROUTES.length; r++) {
            if ((routes & (1 << r)) != 0) {
                b.route("GET", ROUTES[r]);
            }
        }
        return b.build();
    }

    /** A request spec: bit 0 route, bits 1-2 key, bits 3-5 time step (0-7 times 150 ms). */
    static RequestView request(int spec) {
        return Request.of("GET", ((spec & 1) == 0 ? "/a/" : "/b/") + "k" + ((spec >> 1) & 3)).build();
    }

    static long step(int spec) {
        return ((spec >> 3) & 7) * 150_000_000L;
    }

    private static PolicyGate gate(List<Rule> rules, boolean policyShadow) {
        Policy.Builder p = Policy.named("p").shadow(policyShadow);
        rules.forEach(p::rule);
        return PolicyGate.builder(p.build()).clock(new ManualClock()).defaultCapacity(16).build();
    }

    private static void check(List<Integer> specs, Boolean policyShadow, List<Integer> trace) {
        List<Rule> rules = new ArrayList<>();
        List<Rule> enforcing = new ArrayList<>();
        List<Rule> shadows = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Rule r = rule(i, specs.get(i), (specs.get(i) & 32) != 0);
            rules.add(r);
            (policyShadow || r.shadow() ? shadows : enforcing).add(r);
        }
        List<PolicyGate> alone = new ArrayList<>();
        try (PolicyGate gate = gate(rules, policyShadow);
             PolicyGate enforcingGate = enforcing.isEmpty() ? null : gate(enforcing, false)) {
            for (Rule s : shadows) {
                alone.add(gate(List.of(s.toBuilder().shadow(false).build()), false));
            }
            long[] expectedShadowDenied = new long[shadows.size()];
            long now = 0;
            for (int spec : trace) {
                now += step(spec);
                RequestView req = request(spec);
                Verdict v = gate.evaluate(req, now);
                boolean expectedAllowed = true;
                if (enforcingGate != null) {
                    Verdict e = enforcingGate.evaluate(req, now);
                    expectedAllowed = e.allowed();
                    e.complete();
                }
                assertEquals(expectedAllowed, v.allowed(), "enforcement at " + now + " of " + req + ": " + v);
                List<String> expected = new ArrayList<>();
                if (expectedAllowed) {
                    for (int k = 0; k < shadows.size(); k++) {
                        Verdict a = alone.get(k).evaluate(req, now);
                        if (!a.allowed()) {
                            expected.add(shadows.get(k).name());
                            expectedShadowDenied[k]++;
                        }
                        a.complete();
                    }
                }
                List<String> actual = new ArrayList<>();
                for (int k = 0; k < v.shadowDeniedCount(); k++) {
                    actual.add(v.shadowDeniedRule(k).name());
                }
                assertEquals(expected, actual, "shadow denials at " + now + " of " + req);
                assertEquals(!expected.isEmpty(), v.shadowDenied());
                assertEquals(expected.isEmpty() ? null : String.join(", ", expected), v.shadowHeaderValue());
                v.complete();
            }
            if (policyShadow) {
                assertTrue(enforcing.isEmpty());
            }
            for (int k = 0; k < shadows.size(); k++) {
                RuleCounters c = gate.counters(shadows.get(k).name());
                assertEquals(expectedShadowDenied[k], c.shadowDenied(), "shadow-denied count of " + c);
                assertEquals(0, c.denied(), "a shadow rule denies nothing: " + c);
                assertEquals(alone.get(k).counters(shadows.get(k).name()).admitted(), c.admitted(), c.toString());
            }
            for (Rule r : enforcing) {
                RuleCounters c = gate.counters(r.name());
                RuleCounters e = enforcingGate.counters(r.name());
                assertEquals(e.denied(), c.denied(), c.toString());
                assertEquals(e.admitted(), c.admitted(), c.toString());
                assertEquals(0, c.shadowDenied(), c.toString());
            }
        } finally {
            alone.forEach(PolicyGate::close);
        }
    }
}
