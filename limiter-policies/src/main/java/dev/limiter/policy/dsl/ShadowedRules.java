package dev.limiter.policy.dsl;

import dev.limiter.policy.Route;
import dev.limiter.policy.Rule;
import dev.limiter.policy.dsl.PolicySyntax.RuleNode;

import java.util.List;

/**
 * Finds rules that can never apply: within a precedence group, a rule is shadowed by an earlier
 * one when, for every route of the later rule, the earlier rule has a route for at least the same
 * methods whose template matches every path the later route matches and is strictly more specific,
 * and the earlier rule's conditions are among the later rule's (so it applies whenever the later
 * one would). The earlier rule then always wins the group. Regular and catch-all rules are compared
 * only among their own kind; a catch-all rule never applies when one regular rule (of its group,
 * or of the policy without a group) covers every route of it at any specificity ({@link #displaces}).
 */
final class ShadowedRules {
    private final PolicyErrors errors;

    ShadowedRules(PolicyErrors errors) {
        this.errors = errors;
    }

    void check(List<Rule> rules, List<RuleNode> nodes) {
        for (int j = 0; j < rules.size(); j++) {
            Rule later = rules.get(j);
            RuleNode n = nodes.get(j);
            if (later.catchAll()) {
                for (Rule regular : rules) {
                    if (displaces(regular, later)) {
                        errors.add(n.pos.line(), n.pos.column(), "catch-all rule '" + later.name()
                                + "' never applies: regular rule '" + regular.name() + "'"
                                + (later.group() == null ? "" : " of group '" + later.group() + "'")
                                + " applies to every request it matches");
                        break;
                    }
                }
            }
            if (later.group() == null) {
                continue;
            }
            for (int i = 0; i < j; i++) {
                Rule earlier = rules.get(i);
                if (later.group().equals(earlier.group()) && earlier.catchAll() == later.catchAll()
                        && shadows(earlier, later)) {
                    errors.add(n.pos.line(), n.pos.column(), "rule '" + later.name() + "' is shadowed by earlier rule '"
                            + earlier.name() + "': in group '" + later.group() + "', '" + earlier.name()
                            + "' matches every request '" + later.name() + "' matches, more specifically");
                    break;
                }
            }
        }
    }

    /**
     * @return whether regular rule {@code a} applies to every request catch-all rule {@code b}
     *     matches: then {@code b} never applies, whatever the templates' specificity (a catch-all
     *     applies only where no regular rule of its group, or without a group of the policy, does)
     */
    static boolean displaces(Rule a, Rule b) {
        if (a.catchAll() || !b.catchAll() || (b.group() != null && !b.group().equals(a.group()))
                || !b.conditions().containsAll(a.conditions()) || !a.exemptions().isEmpty()) {
            return false;
        }
        for (Route rb : b.routes()) {
            boolean covered = false;
            for (Route ra : a.routes()) {
                boolean methods = ra.methods().isEmpty()
                        || (!rb.methods().isEmpty() && ra.methods().containsAll(rb.methods()));
                if (methods && covers(segments(ra), segments(rb))) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    static boolean shadows(Rule a, Rule b) {
        if (!b.conditions().containsAll(a.conditions())) {
            return false;
        }
        for (Route rb : b.routes()) {
            boolean covered = false;
            for (Route ra : a.routes()) {
                boolean methods = ra.methods().isEmpty()
                        || (!rb.methods().isEmpty() && ra.methods().containsAll(rb.methods()));
                if (methods && ra.template().compareTo(rb.template()) > 0 && covers(segments(ra), segments(rb))) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    private static String[] segments(Route r) {
        String t = r.template().toString();
        return t.equals("/") ? new String[0] : t.substring(1).split("/");
    }

    /** @return whether every path that template {@code b} matches, template {@code a} matches too */
    static boolean covers(String[] a, String[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals("**")) {
                return true;
            }
            if (i >= b.length || b[i].equals("**")) {
                return false;
            }
            boolean any = a[i].equals("*") || a[i].startsWith("{");
            boolean bLiteral = !b[i].equals("*") && !b[i].startsWith("{");
            if (!any && !(bLiteral && a[i].equals(b[i]))) {
                return false;
            }
        }
        return a.length == b.length;
    }
}
