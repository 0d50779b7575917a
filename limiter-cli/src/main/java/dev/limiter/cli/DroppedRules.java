package dev.limiter.cli;

import dev.limiter.policy.KeyPart;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Provenance;
import dev.limiter.policy.Request;
import dev.limiter.policy.Route;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules of a policy whose routes match a request but that do not apply to it, each with the
 * reason: a condition that does not hold, an exemption, another rule of its group that matched
 * more specifically, or (for a catch-all rule) a regular rule that applies.
 */
final class DroppedRules {
    private DroppedRules() {
    }

    /** @return one line per dropped rule, {@code NAME: reason}, in policy order */
    static List<String> of(Policy policy, Request request, MatchResult applied) {
        List<Rule> appliedRules = new ArrayList<>();
        for (int i = 0; i < applied.size(); i++) {
            appliedRules.add(applied.rule(i));
        }
        List<String> out = new ArrayList<>();
        for (Rule r : policy.rules()) {
            if (appliedRules.contains(r) || !matches(bare(r, false, false), request)) {
                continue;
            }
            String reason;
            if (r.equals(applied.refusingRule())) {
                reason = "refused: a key part is missing (" + applied.refusalMessage() + ")";
            } else if (!matches(bare(r, true, false), request)) {
                reason = "a condition does not hold (when " + r.conditions() + ")";
            } else if (!matches(bare(r, true, true), request)) {
                reason = "the request is exempt (except " + r.exemptions() + ")";
            } else if (r.catchAll() && displacing(r, appliedRules) != null) {
                reason = "catch-all displaced by regular rule " + displacing(r, appliedRules);
            } else if (r.group() != null && sameGroup(r, appliedRules) != null) {
                reason = "rule " + sameGroup(r, appliedRules) + " of group " + r.group() + " matched more specifically";
            } else {
                reason = "not reached: the request was refused" + (applied.refusingRule() == null ? ""
                        : " for a missing key of rule " + applied.refusingRule().name());
            }
            out.add(r.name() + ": " + reason);
        }
        return out;
    }

    private static String displacing(Rule catchAll, List<Rule> applied) {
        for (Rule a : applied) {
            if (!a.catchAll() && (catchAll.group() == null || catchAll.group().equals(a.group()))) {
                return a.name();
            }
        }
        return null;
    }

    private static String sameGroup(Rule r, List<Rule> applied) {
        for (Rule a : applied) {
            if (r.group().equals(a.group()) && a.catchAll() == r.catchAll()) {
                return a.name();
            }
        }
        return null;
    }

    private static boolean matches(Rule alone, Request request) {
        RouteMatcher m = RouteMatcher.compile(Policy.named("explain").rule(alone).build());
        MatchResult result = m.match(request, m.newResult());
        return result.size() == 1 || result.refusingRule() != null;
    }

    /** {@code r} alone: its routes and key, with its conditions and exemptions only when asked for. */
    private static Rule bare(Rule r, boolean conditions, boolean exemptions) {
        Rule.Builder b = Rule.named(r.name());
        for (Route route : r.routes()) {
            Set<String> methods = route.methods();
            b.route(methods.isEmpty() ? "*" : String.join(",", methods), route.template().toString(), route.cost());
        }
        if (conditions) {
            r.conditions().forEach(b::when);
        }
        if (exemptions) {
            r.exemptions().forEach(b::exempt);
        }
        b.key(r.key().toArray(new KeyPart[0])).member(r.member().toArray(new KeyPart[0]))
                .limit(r.limit()).cost(r.cost()).override(r.override());
        for (Provenance p : r.provenance()) {
            b.source(p.document(), p.row());
        }
        return b.build();
    }
}
