package dev.limiter.policy.dsl;

import dev.limiter.policy.KeyPart;
import dev.limiter.policy.PathTemplate;
import dev.limiter.policy.dsl.PolicySyntax.KeyNode;
import dev.limiter.policy.dsl.PolicySyntax.Pos;
import dev.limiter.policy.dsl.PolicySyntax.RouteNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the parsed key parts of a rule to {@link KeyPart}s: the sources, the path variables every
 * route must declare, and the missing-key choices ({@code or PART}, {@code or-shared},
 * {@code or-refuse}, {@code substitute}), reporting at the offending modifier whatever cannot apply.
 */
final class KeyPartBinder {
    private final PolicyErrors errors;
    private final Map<String, List<String>> variables = new HashMap<>();

    KeyPartBinder(PolicyErrors errors) {
        this.errors = errors;
    }

    private void error(Pos at, String message) {
        errors.add(at.line(), at.column(), message);
    }

    KeyPart[] keyParts(List<KeyNode> nodes, List<RouteNode> routes) {
        KeyPart[] out = new KeyPart[nodes.size()];
        int n = 0;
        for (KeyNode k : nodes) {
            KeyPart p = keyPart(k, routes);
            if (p != null) {
                out[n++] = p;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Binds a part and its modifiers in order: {@code substitute} first, then fallbacks, then at
     * most one of {@code or-shared} and {@code or-refuse}, which (like the model's) applies to the
     * last fallback of the chain.
     */
    private KeyPart keyPart(KeyNode k, List<RouteNode> routes) {
        KeyPart part = basePart(k, routes);
        if (part == null) {
            return null;
        }
        String last = k.describe();
        boolean lastMissable = part.canBeMissing();
        PolicySyntax.KeyModifier choice = null;
        boolean fallback = false;
        for (PolicySyntax.KeyModifier m : k.modifiers()) {
            if (m.kind().equals("substitute")) {
                if (fallback || choice != null || part.substitute() != null) {
                    error(m.pos(), "'substitute' comes once, right after the part whose value it replaces, before"
                            + " 'or', 'or-shared' and 'or-refuse'");
                    return null;
                }
                KeyPart instead = keyPart(m.part(), routes);
                if (instead == null) {
                    return null;
                }
                try {
                    part = part.substitute(m.text(), instead);
                } catch (IllegalArgumentException e) {
                    error(m.pos(), e.getMessage());
                    return null;
                }
                continue;
            }
            if (choice != null) {
                error(m.pos(), "'" + m.describe() + "' after '" + choice.describe() + "': a key part has one"
                        + " choice for a missing value, and it comes last");
                return null;
            }
            if (!lastMissable) {
                error(m.pos(), "'" + m.describe() + "' needs a part that can be missing, but " + last
                        + " never is");
                return null;
            }
            switch (m.kind()) {
                case "or":
                    KeyPart other = keyPart(m.part(), routes);
                    if (other == null) {
                        return null;
                    }
                    try {
                        part = part.orElse(other);
                    } catch (IllegalArgumentException e) {
                        error(m.pos(), e.getMessage());
                        return null;
                    }
                    fallback = true;
                    KeyPart end = other;
                    while (end.fallback() != null) {
                        end = end.fallback();
                    }
                    last = end == other ? m.part().describe() : end.toString();
                    lastMissable = end.canBeMissing();
                    break;
                case "or-shared":
                    if (m.text().isBlank()) {
                        error(m.pos(), "expected a shared bucket name that is not blank, found \"" + m.text() + "\"");
                        return null;
                    }
                    part = bind(m, part, null, 0);
                    if (part == null) {
                        return null;
                    }
                    choice = m;
                    break;
                default:
                    if (m.status() < 400 || m.status() > 499) {
                        error(m.pos(), "expected a refusal status between 400 and 499, found " + m.status());
                        return null;
                    }
                    part = bind(m, part, m.text(), (int) m.status());
                    if (part == null) {
                        return null;
                    }
                    choice = m;
            }
        }
        return part;
    }

    /** @return {@code part} with the shared bucket (when {@code status} is 0) or the refusal; null on an error */
    private KeyPart bind(PolicySyntax.KeyModifier m, KeyPart part, String message, int status) {
        try {
            return status == 0 ? part.orShared(m.text()) : part.orRefuse(status, message);
        } catch (IllegalArgumentException e) {
            error(m.pos(), e.getMessage());
            return null;
        }
    }

    private KeyPart basePart(KeyNode k, List<RouteNode> routes) {
        try {
            switch (k.kind()) {
                case "variable":
                    for (RouteNode r : routes) {
                        List<String> vars = variables(r.template());
                        if (vars != null && !vars.contains(k.name())) {
                            error(k.pos(), "key {" + k.name() + "} is not a variable of route " + r.methods() + " "
                                    + r.template() + ", so no request it matches provides it");
                            return null;
                        }
                    }
                    return KeyPart.pathVariable(k.name());
                case "header":
                    return KeyPart.header(k.name());
                case "attribute":
                    return KeyPart.attribute(k.name());
                case "query":
                    return KeyPart.queryParameter(k.name());
                case "shared":
                    if (k.name().isBlank()) {
                        error(k.pos(), "expected a shared bucket name that is not blank, found \"" + k.name() + "\"");
                        return null;
                    }
                    return KeyPart.shared(k.name());
                case "client-address":
                    return KeyPart.clientAddress();
                case "endpoint":
                    if (k.segments() < 1 || k.segments() > PathTemplate.MAX_SEGMENTS) {
                        error(k.pos(), "expected endpoint segments between 1 and " + PathTemplate.MAX_SEGMENTS
                                + ", found " + k.segments());
                        return null;
                    }
                    return KeyPart.endpoint((int) k.segments());
                default:
                    return KeyPart.route();
            }
        } catch (IllegalArgumentException e) {
            error(k.pos(), e.getMessage());
            return null;
        }
    }

    /** @return the template's variables, or null when it is malformed; parsed once per template */
    List<String> variables(String template) {
        if (!variables.containsKey(template)) {
            List<String> v;
            try {
                v = PathTemplate.parse(template).variables();
            } catch (IllegalArgumentException e) {
                v = null;
            }
            variables.put(template, v);
        }
        return variables.get(template);
    }
}
