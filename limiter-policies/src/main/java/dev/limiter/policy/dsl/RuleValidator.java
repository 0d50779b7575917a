package dev.limiter.policy.dsl;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.PathTemplate;
import dev.limiter.policy.Route;
import dev.limiter.policy.Rule;
import dev.limiter.policy.dsl.PolicySyntax.At;
import dev.limiter.policy.dsl.PolicySyntax.ConditionNode;
import dev.limiter.policy.dsl.PolicySyntax.LimitNode;
import dev.limiter.policy.dsl.PolicySyntax.Pos;
import dev.limiter.policy.dsl.PolicySyntax.RouteNode;
import dev.limiter.policy.dsl.PolicySyntax.RuleNode;
import dev.limiter.policy.dsl.PolicySyntax.SourceNode;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Turns one parsed rule block into a {@link Rule}, reporting at the offending clause whatever the
 * model would refuse: unknown algorithms and override kinds, options that do not suit the
 * algorithm, costs above what the limit grants at once, key variables some route lacks, missing-key
 * choices that cannot apply.
 */
final class RuleValidator {
    static final String ALGORITHMS = "token-bucket, fixed-window, sliding-window, concurrency, quota or cardinality";

    private final PolicyErrors errors;
    private final KeyPartBinder keys;

    RuleValidator(PolicyErrors errors) {
        this.errors = errors;
        this.keys = new KeyPartBinder(errors);
    }

    private void error(Pos at, String message) {
        errors.add(at.line(), at.column(), message);
    }

    /** @return the rule, or null when it has errors (all of them reported) */
    Rule validate(RuleNode n) {
        if (n.name == null) {
            return null;
        }
        String name = n.name.value();
        int before = errors.count();
        Rule.Builder b;
        try {
            b = Rule.named(name);
        } catch (IllegalArgumentException e) {
            error(n.name.pos(), "expected a rule name that is not blank, found \"" + name + "\"");
            return null;
        }
        if (n.catchAll != null) {
            b.catchAll();
        }
        Limit limit = n.limit == null ? null : limit(n.limit, name);
        long cost = 1;
        if (n.cost != null) {
            if (n.cost.value() < 1) {
                error(n.cost.pos(), "expected a cost of at least 1, found " + n.cost.value());
            } else {
                cost = n.cost.value();
                b.cost(cost);
            }
        }
        for (RouteNode r : n.routes) {
            route(b, r, limit, cost, name);
        }
        for (ConditionNode c : n.conditions) {
            Condition cond = condition(c);
            if (cond != null) {
                b.when(cond);
            }
        }
        for (ConditionNode c : n.exemptions) {
            Condition cond = condition(c);
            if (cond != null) {
                b.exempt(cond);
            }
        }
        if (n.group != null) {
            b.group(n.group.value());
        }
        if (n.key != null) {
            b.key(keys.keyParts(n.key, n.routes));
        }
        if (n.member != null) {
            b.member(keys.keyParts(n.member, n.routes));
        }
        if (n.shadow != null) {
            b.shadow(true);
        }
        if (n.maxWait != null) {
            if (n.maxWait.value() <= 0) {
                error(n.maxWait.pos(), "expected a positive wait such as 50ms (leave 'wait' out not to wait)");
            } else if (limit != null && limit.algorithm() == Algorithm.CARDINALITY) {
                error(n.maxWait.pos(), "a cardinality rule cannot wait: a member is admitted or not");
            } else {
                b.maxWait(Duration.ofNanos(n.maxWait.value()));
            }
        }
        if (n.message != null) {
            b.message(n.message.value());
        }
        OverrideKind kind = OverrideKind.RAISABLE;
        if (n.override != null) {
            kind = overrideKind(n.override);
            if (kind != null) {
                b.override(kind);
            }
        }
        for (SourceNode s : n.sources) {
            try {
                b.source(s.document(), s.row());
            } catch (IllegalArgumentException e) {
                error(s.pos(), e.getMessage());
            }
        }
        if (n.routes.isEmpty()) {
            error(n.pos, "rule '" + name + "' has no route: add 'route METHODS TEMPLATE'" + (n.catchAll == null ? ""
                    : "; a catch-all rule names the endpoints it covers, such as 'route * /**'"));
        }
        if (n.key == null) {
            error(n.pos, "rule '" + name + "' has no key: add 'key PART, ...', or 'key shared \"BUCKET\"' for one"
                    + " bucket shared by every request");
        }
        if (n.limit == null) {
            error(n.pos, "rule '" + name + "' has no limit: add 'limit ALGORITHM PERMITS ...'");
        }
        if (n.sources.isEmpty()) {
            error(n.pos, "rule '" + name + "' cites no source: add 'source \"DOCUMENT\" row ROW'");
        }
        if (limit != null) {
            algorithmFits(n, limit, cost);
            b.limit(limit);
        }
        if (errors.count() != before) {
            return null;
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            error(n.pos, e.getMessage());
            return null;
        }
    }

    private void route(Rule.Builder b, RouteNode r, Limit limit, long ruleCost, String rule) {
        if (r.costPos() != null && r.cost() < 1) {
            error(r.costPos(), "expected a cost of at least 1, found " + r.cost());
            return;
        }
        if (keys.variables(r.template()) == null) {
            try {
                PathTemplate.parse(r.template());
            } catch (IllegalArgumentException e) {
                error(r.templatePos(), e.getMessage());
            }
            return;
        }
        try {
            b.route(r.methods(), r.template(), r.cost());
        } catch (IllegalArgumentException e) {
            error(r.pos(), e.getMessage().replace("rule '" + rule + "': ", ""));
            return;
        }
        long c = r.cost() == Route.DEFAULT_COST ? ruleCost : r.cost();
        if (limit != null && c > limit.maxPermitsPerRequest()) {
            error(r.costPos() != null ? r.costPos() : r.pos(), "route " + r.methods() + " " + r.template() + " costs "
                    + c + " permits but limit '" + limit.name() + "' grants at most " + limit.maxPermitsPerRequest()
                    + " at once");
        }
    }

    private Condition condition(ConditionNode c) {
        try {
            Condition.On on = c.header() ? Condition.header(c.name()) : Condition.attribute(c.name());
            switch (c.test()) {
                case "present":
                    return on.present();
                case "equals":
                    return on.is(c.value());
                default:
                    return on.mediaType(c.value());
            }
        } catch (IllegalArgumentException e) {
            error(c.pos(), e.getMessage());
            return null;
        }
    }

    private OverrideKind overrideKind(At<String> o) {
        switch (o.value()) {
            case "raisable":
                return OverrideKind.RAISABLE;
            case "lifted-when-verified":
                return OverrideKind.LIFTED_WHEN_VERIFIED;
            case "fixed":
                return OverrideKind.FIXED;
            default:
                error(o.pos(), "unknown override kind '" + o.value()
                        + "': expected raisable, lifted-when-verified or fixed");
                return null;
        }
    }

    /** @return the algorithm's word in the language, such as {@code fixed-window} */
    static String word(Algorithm a) {
        return a.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private Limit limit(LimitNode l, String rule) {
        Algorithm algorithm = null;
        for (Algorithm a : Algorithm.values()) {
            if (word(a).equals(l.algorithm().value())) {
                algorithm = a;
            }
        }
        if (algorithm == null) {
            error(l.algorithm().pos(), "unknown algorithm '" + l.algorithm().value() + "': expected " + ALGORITHMS);
            return null;
        }
        String what = "a " + word(algorithm) + " limit";
        boolean ok = true;
        if (l.permits() < 1 || l.permits() > Limit.MAX_PERMITS) {
            error(l.permitsPos(), "expected permits between 1 and " + Limit.MAX_PERMITS + ", found " + l.permits());
            ok = false;
        }
        boolean periodic = algorithm == Algorithm.TOKEN_BUCKET || algorithm == Algorithm.FIXED_WINDOW
                || algorithm == Algorithm.SLIDING_WINDOW;
        ok &= option(l.period(), periodic, what, "per", "needs 'per DURATION', such as 'per 1s'", l.pos());
        ok &= option(l.maxHold(), algorithm == Algorithm.CONCURRENCY, what, "max-hold",
                "needs 'max-hold DURATION', the longest a request may hold its permit", l.pos());
        ok &= option(l.burst(), algorithm == Algorithm.TOKEN_BUCKET, what, "burst", null, l.pos());
        ok &= option(l.subWindows(), algorithm == Algorithm.SLIDING_WINDOW, what, "sub-windows", null, l.pos());
        if (!ok) {
            return null;
        }
        String name = l.name() == null ? rule : l.name().value();
        try {
            Limit.Builder b;
            switch (algorithm) {
                case TOKEN_BUCKET:
                    b = Limit.tokenBucket(name, l.permits(), Duration.ofNanos(l.period().value()));
                    if (l.burst() != null) {
                        b.burst(l.burst().value());
                    }
                    break;
                case FIXED_WINDOW:
                    b = Limit.fixedWindow(name, l.permits(), Duration.ofNanos(l.period().value()));
                    break;
                case SLIDING_WINDOW:
                    b = Limit.slidingWindow(name, l.permits(), Duration.ofNanos(l.period().value()));
                    if (l.subWindows() != null) {
                        long k = l.subWindows().value();
                        b.subWindows(k > Limit.MAX_SUB_WINDOWS ? Limit.MAX_SUB_WINDOWS + 1 : (int) k);
                    }
                    break;
                case CONCURRENCY:
                    b = Limit.concurrency(name, l.permits(), Duration.ofNanos(l.maxHold().value()));
                    break;
                case QUOTA:
                    b = Limit.quota(name, l.permits());
                    break;
                default:
                    b = Limit.cardinality(name, l.permits());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            error(l.pos(), e.getMessage());
            return null;
        }
    }

    /** Checks that an option is present exactly when it must be (required) or absent when it does not apply. */
    private boolean option(At<?> value, boolean applies, String what, String option, String required, Pos limit) {
        if (value != null && !applies) {
            error(value.pos(), "'" + option + "' does not apply to " + what);
            return false;
        }
        if (value == null && applies && required != null) {
            error(limit, what + " " + required);
            return false;
        }
        return true;
    }

    private void algorithmFits(RuleNode n, Limit limit, long cost) {
        Algorithm a = limit.algorithm();
        boolean counted = a == Algorithm.CONCURRENCY || a == Algorithm.CARDINALITY;
        if (counted && n.cost != null && cost != 1) {
            error(n.cost.pos(), "a " + word(a) + " rule counts requests or members, not costs: its cost must be 1");
        }
        for (RouteNode r : n.routes) {
            if (counted && r.cost() > 1) {
                error(r.costPos(), "a " + word(a) + " rule counts requests or members, not costs: its cost must be 1");
            }
        }
        if (a == Algorithm.CARDINALITY && n.member == null) {
            error(n.limit.pos(), "a cardinality rule needs 'member PART': the distinct values it counts under each key");
        }
        if (a != Algorithm.CARDINALITY && n.member != null) {
            error(n.memberPos, "only a cardinality rule has 'member' parts; this rule's limit is " + word(a));
        }
    }
}
