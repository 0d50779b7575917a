package dev.limiter.policy.dsl;

import dev.limiter.Limit;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;
import dev.limiter.policy.dsl.PolicySyntax.OverrideNode;
import dev.limiter.policy.dsl.PolicySyntax.PolicyNode;
import dev.limiter.policy.dsl.PolicySyntax.RuleNode;
import dev.limiter.policy.dsl.PolicySyntax.SourceNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks what parses but is wrong and builds the model: each rule through {@link RuleValidator},
 * then duplicate rule and limit names, rules shadowed by an earlier one ({@link ShadowedRules}),
 * and overrides that name no rule, raise a fixed limit or lift a rule that cannot be lifted.
 */
final class PolicyValidator {
    private final PolicyErrors errors;

    PolicyValidator(PolicyErrors errors) {
        this.errors = errors;
    }

    private void error(PolicySyntax.Pos at, String message) {
        errors.add(at.line(), at.column(), message);
    }

    /** @return the document, or null when there were errors (all of them reported) */
    PolicyDocument validate(PolicyNode p) {
        if (p.name == null) {
            return null;
        }
        String name = p.name.value();
        Policy.Builder b;
        try {
            b = Policy.named(name);
        } catch (IllegalArgumentException e) {
            error(p.name.pos(), "expected a policy name that is not blank, found \"" + name + "\"");
            return null;
        }
        if (p.version != null) {
            try {
                b.version(p.version.value());
            } catch (IllegalArgumentException e) {
                error(p.version.pos(), "expected a version that is not blank, found \"" + p.version.value() + "\"");
            }
        }
        if (p.errorType != null) {
            b.errorType(p.errorType.value());
        }
        for (SourceNode s : p.sources) {
            try {
                b.source(s.document(), s.row());
            } catch (IllegalArgumentException e) {
                error(s.pos(), e.getMessage());
            }
        }
        if (p.shadow != null) {
            b.shadow(true);
        }
        if (p.rules.isEmpty()) {
            error(p.pos, "policy '" + name + "' has no rules");
        }
        RuleValidator rules = new RuleValidator(errors);
        Map<String, RuleNode> names = new HashMap<>();
        Map<String, RuleNode> limitOwners = new HashMap<>();
        Map<String, Rule> built = new LinkedHashMap<>();
        List<RuleNode> builtNodes = new ArrayList<>();
        Map<String, List<String>> comments = new HashMap<>();
        for (RuleNode n : p.rules) {
            if (n.name == null) {
                continue;
            }
            RuleNode first = names.putIfAbsent(n.name.value(), n);
            if (first != null) {
                error(n.name.pos(), "rule '" + n.name.value() + "' is declared twice (first at line "
                        + first.pos.line() + ")");
                continue;
            }
            if (!n.comments.isEmpty()) {
                comments.put(n.name.value(), List.copyOf(n.comments));
            }
            String limitName = n.limit == null ? null : n.limit.name() == null ? n.name.value() : n.limit.name().value();
            if (limitName != null) {
                RuleNode owner = limitOwners.putIfAbsent(limitName, n);
                if (owner != null) {
                    error(n.limit.name() != null ? n.limit.name().pos() : n.limit.pos(), "limit name '" + limitName
                            + "' is already used by rule '" + owner.name.value() + "' (line " + owner.pos.line() + ")");
                    continue;
                }
            }
            Rule r = rules.validate(n);
            if (r != null) {
                built.put(r.name(), r);
                builtNodes.add(n);
            }
        }
        new ShadowedRules(errors).check(new ArrayList<>(built.values()), builtNodes);
        List<KeyOverride> overrides = new ArrayList<>();
        for (OverrideNode o : p.overrides) {
            KeyOverride k = override(o, built, names);
            if (k != null) {
                overrides.add(k);
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        built.values().forEach(b::rule);
        try {
            return new PolicyDocument(b.build(), overrides, p.comments, comments);
        } catch (IllegalArgumentException e) {
            error(p.pos, e.getMessage());
            return null;
        }
    }

    private KeyOverride override(OverrideNode o, Map<String, Rule> built, Map<String, RuleNode> declared) {
        String ruleName = o.rule().value();
        String verb = o.raise() ? "raise" : "lift";
        if (!declared.containsKey(ruleName)) {
            error(o.rule().pos(), "'" + verb + "' names no rule of this policy: '" + ruleName + "'");
            return null;
        }
        Rule r = built.get(ruleName);
        if (r == null) {
            return null;
        }
        if (o.raise() && r.override() == OverrideKind.FIXED) {
            error(o.pos(), "rule '" + ruleName + "' is fixed: its limit refuses overrides, so it cannot be raised");
            return null;
        }
        if (o.raise() && r.override() == OverrideKind.LIFTED_WHEN_VERIFIED) {
            error(o.pos(), "rule '" + ruleName + "' is lifted-when-verified: write 'lift', not 'raise'");
            return null;
        }
        if (!o.raise() && r.override() != OverrideKind.LIFTED_WHEN_VERIFIED) {
            error(o.pos(), "rule '" + ruleName + "' is " + (r.override() == OverrideKind.FIXED ? "fixed" : "raisable")
                    + ", not lifted-when-verified, so it cannot be lifted");
            return null;
        }
        if (o.key().size() != r.key().size()) {
            error(o.pos(), "rule '" + ruleName + "' has " + r.key().size() + " key part" + (r.key().size() == 1 ? "" : "s")
                    + " but " + o.key().size() + " key value" + (o.key().size() == 1 ? " is" : "s are") + " given");
            return null;
        }
        if (o.raise() && (o.permits() < 1 || o.permits() > Limit.MAX_PERMITS)) {
            error(o.pos(), "expected permits between 1 and " + Limit.MAX_PERMITS + ", found " + o.permits());
            return null;
        }
        return new KeyOverride(o.raise() ? KeyOverride.Kind.RAISE : KeyOverride.Kind.LIFT, ruleName, o.permits(), o.key());
    }
}
