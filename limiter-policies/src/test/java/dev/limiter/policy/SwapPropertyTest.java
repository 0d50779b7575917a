package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * A live policy swap against an independent model. A random policy of one to three fixed-window
 * rules (per key, over two routes) decides a random trace; then it is swapped for a derived policy
 * in which each rule is kept, changed (another limit: it starts fresh) or removed, and a new rule
 * may appear; then a second trace follows. Two judges:
 * <ul>
 *   <li>the over-admission oracle: over the merged grant trace (before and after the swap), no
 *       rule kept unchanged grants more than N in any window to any key, and no fresh rule does
 *       after the swap;</li>
 *   <li>the model: per (rule life, key, window) counts, where an unchanged rule continues its life
 *       and a changed or new one starts a new life at the swap; the rules applying to a request
 *       are decided atomically per engine, the kept rules' engine first, as documented in
 *       {@link SpanningDecision}. Every decision of the gate must equal the model's.</li>
 * </ul>
 */
class SwapPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final long SECOND = 1_000_000_000L;

    @Test
    void unchangedRulesKeepTheirCountsAcrossASwapAndNeverOverAdmit() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(1, 3),
                        lists().of(integers().between(0, 255)).ofSizeBetween(1, 4),
                        lists().of(integers().between(0, 63)).ofSizeBetween(0, 30),
                        lists().of(integers().between(0, 63)).ofSizeBetween(0, 30))
                .checkAssert(SwapPropertyTest::check);
    }

    /** A rule: bits 0-1 route set (0 or 3 both, 1 a, 2 b), bits 2-3 N - 1. */
    private static Rule rule(String name, int spec) {
        int routes = (spec & 3) == 0 ? 3 : spec & 3;
        Rule.Builder b = Rule.named(name).key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow(name, ((spec >> 2) & 3) + 1, Duration.ofSeconds(1)).build())
                .source("doc", name);
        if ((routes & 1) != 0) {
            b.route("GET", "/a/{id}");
        }
        if ((routes & 2) != 0) {
            b.route("GET", "/b/{id}");
        }
        return b.build();
    }

    private static boolean applies(Rule r, int request) {
        String prefix = (request & 1) == 0 ? "/a/" : "/b/";
        return r.routes().stream().anyMatch(route -> route.template().toString().startsWith(prefix));
    }

    /** One life of a rule in the model: its limit, and counts per key and window. */
    private static final class Life {
        final Rule rule;
        final int engine;
        final Map<String, Long> counts = new HashMap<>();

        Life(Rule rule, int engine) {
            this.rule = rule;
            this.engine = engine;
        }

        boolean fits(String cell) {
            return counts.getOrDefault(cell, 0L) + 1 <= rule.limit().permits();
        }
    }

    private static void check(List<Integer> specs, List<Integer> changes, List<Integer> before, List<Integer> after) {
        Policy.Builder p1 = Policy.named("p").version("1");
        List<Life> lives = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Rule r = rule("r" + i, specs.get(i));
            p1.rule(r);
            lives.add(new Life(r, 0));
        }
        // The swap: per old rule, change 0 keep, 1 change the limit, 2 remove; a 4th change adds a rule.
        Policy.Builder p2 = Policy.named("p").version("2");
        List<Life> next = new ArrayList<>();
        List<Life> unchanged = new ArrayList<>();
        for (int i = 0; i < lives.size(); i++) {
            int c = i < changes.size() ? changes.get(i) % 3 : 0;
            Life old = lives.get(i);
            if (c == 0) {
                p2.rule(old.rule);
                next.add(old);
                unchanged.add(old);
            } else if (c == 1) {
                Rule changed = rule(old.rule.name(), specs.get(i) ^ (1 + (changes.get(i) >> 2) % 3) << 2);
                p2.rule(changed);
                next.add(new Life(changed, 1));
            }
        }
        if (next.isEmpty() || changes.size() > 3) {
            Rule added = rule("new", changes.get(changes.size() - 1) >> 2);
            p2.rule(added);
            next.add(new Life(added, 1));
        }
        boolean kept = !unchanged.isEmpty();
        // Grant trace: per life, key and window, what the gate granted.
        Map<Life, Map<String, Long>> grants = new HashMap<>();
        long now = 0;
        try (PolicyGate gate = PolicyGate.builder(p1.build()).clock(new ManualClock()).defaultCapacity(16).build()) {
            now = run(gate, before, lives, now, grants, true);
            gate.swap(p2.build());
            if (!kept) { // no engine of the first policy is in use: the fresh rules' engine is the first
                next.replaceAll(l -> new Life(l.rule, 0));
            }
            run(gate, after, next, now, grants, kept);
        }
        for (Map.Entry<Life, Map<String, Long>> e : grants.entrySet()) {
            long n = e.getKey().rule.limit().permits();
            e.getValue().forEach((cell, granted) -> assertTrue(granted <= n, e.getKey().rule.name() + " granted "
                    + granted + " > " + n + " in window/key " + cell));
        }
    }

    private static long run(PolicyGate gate, List<Integer> trace, List<Life> lives, long now,
                            Map<Life, Map<String, Long>> grants, boolean keptFirst) {
        for (int spec : trace) {
            now += ((spec >> 3) & 7) * SECOND / 4;
            String key = "k" + ((spec >> 1) & 3);
            String cell = key + "@" + now / SECOND;
            RequestView req = Request.of("GET", ((spec & 1) == 0 ? "/a/" : "/b/") + key).build();
            boolean expected = true;
            for (int engine = 0; engine <= 1 && expected; engine++) {
                List<Life> group = new ArrayList<>();
                for (Life l : lives) {
                    if (l.engine == engine && applies(l.rule, spec)) {
                        group.add(l);
                    }
                }
                expected = group.stream().allMatch(l -> l.fits(cell));
                if (expected) {
                    group.forEach(l -> l.counts.merge(cell, 1L, Long::sum));
                }
            }
            Verdict v = gate.evaluate(req, now);
            assertEquals(expected, v.allowed(), "at " + now + " " + req.path() + " under " + gate.policy() + ": " + v);
            if (v.allowed()) {
                for (Life l : lives) {
                    if (applies(l.rule, spec)) {
                        grants.computeIfAbsent(l, x -> new HashMap<>()).merge(cell, 1L, Long::sum);
                    }
                }
            }
            v.complete();
        }
        return now;
    }
}
