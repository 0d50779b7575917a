package dev.limiter.policy;

import dev.limiter.Algorithm;
import dev.limiter.Limit;

import java.util.ArrayList;
import java.util.List;

/** The consistency checks a {@link Rule} must pass before it is built: key variables, costs, algorithm and override kind. */
final class RuleValidation {
    private RuleValidation() {
    }

    /**
     * @return the limit the rule enforces: {@code limit}, made fixed for a {@link OverrideKind#FIXED} rule
     * @throws IllegalArgumentException naming the rule and what is wrong
     */
    static Limit effectiveLimit(String name, List<Route> routes, List<KeyPart> key, List<KeyPart> member, Limit limit,
                                long cost, OverrideKind override) {
        List<KeyPart> parts = new ArrayList<>(key);
        parts.addAll(member);
        for (KeyPart p : parts) {
            checkVariables(name, routes, p);
        }
        for (Route r : routes) {
            long c = r.cost() == Route.DEFAULT_COST ? cost : r.cost();
            if (c > limit.maxPermitsPerRequest()) {
                throw invalid(name, "route " + r + " costs " + c + " permits but the limit grants at most "
                        + limit.maxPermitsPerRequest() + " at once");
            }
        }
        boolean counted = limit.algorithm() == Algorithm.CONCURRENCY || limit.algorithm() == Algorithm.CARDINALITY;
        if (counted && (cost != 1 || routes.stream().anyMatch(r -> r.cost() > 1))) {
            throw invalid(name, "a " + limit.algorithm() + " rule counts requests or members, not costs; cost must be 1");
        }
        if ((limit.algorithm() == Algorithm.CARDINALITY) != !member.isEmpty()) {
            throw invalid(name, member.isEmpty() ? "a cardinality rule needs member key parts"
                    : "only a cardinality rule has member key parts");
        }
        if (override == OverrideKind.FIXED && limit.overridable()) {
            return limit.toBuilder().fixed().build();
        } else if (override != OverrideKind.FIXED && !limit.overridable()) {
            throw invalid(name, "its limit is fixed but its override kind is " + override);
        }
        return limit;
    }

    /** Every path variable a part (or its substitute or fallback) reads must be in every route. */
    private static void checkVariables(String name, List<Route> routes, KeyPart p) {
        if (p == null) {
            return;
        }
        if (p.source() == KeyPart.Source.PATH_VARIABLE) {
            for (Route r : routes) {
                if (!r.template().variables().contains(p.name())) {
                    throw invalid(name, "key variable {" + p.name() + "} is not in route " + r.template());
                }
            }
        }
        checkVariables(name, routes, p.substitute());
        checkVariables(name, routes, p.fallback());
    }

    private static IllegalArgumentException invalid(String name, String what) {
        return new IllegalArgumentException("rule '" + name + "' is invalid: " + what);
    }
}
