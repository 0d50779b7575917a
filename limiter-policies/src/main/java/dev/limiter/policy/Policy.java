package dev.limiter.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, named and versioned set of {@link Rule}s, plus the facts that apply to every
 * denial (the error type of the 429 body, and its sources).
 *
 * <pre>{@code
 * Policy p = Policy.named("nylas-v3").version("2024-06").errorType("invalid_request_error")
 *         .rule(email).rule(grants).build();
 * }</pre>
 *
 * <p>Rule names and limit names are unique within a policy. Two policies are equal when their
 * name, version, error type, sources, shadow flag and rules (in order) are equal.
 */
public final class Policy {
    private final String name;
    private final String version;
    private final String errorType;
    private final List<Provenance> provenance;
    private final List<Rule> rules;
    private final Map<String, Rule> byName;
    private final boolean shadow;

    private Policy(Builder b) {
        this.shadow = b.shadow;
        this.name = b.name;
        this.version = b.version;
        this.errorType = b.errorType;
        this.provenance = List.copyOf(b.provenance);
        this.rules = List.copyOf(b.rules);
        Map<String, Rule> m = new LinkedHashMap<>();
        for (Rule r : rules) {
            m.put(r.name(), r);
        }
        this.byName = m;
    }

    /** Starts a policy called {@code name}. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the version */
    public String version() {
        return version;
    }

    /** @return the {@code type} field of a denial's JSON body */
    public String errorType() {
        return errorType;
    }

    /** @return the sources of policy-wide facts (such as the 429 response format) */
    public List<Provenance> provenance() {
        return provenance;
    }

    /** @return the rules, in declaration order */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * @return whether the whole policy runs in shadow mode: every rule is evaluated as a
     *     {@link Rule#shadow() shadow rule}, and the policy never denies a request
     */
    public boolean shadow() {
        return shadow;
    }

    /** @return whether {@code rule} runs in shadow mode under this policy: the policy or the rule says so */
    public boolean shadows(Rule rule) {
        return shadow || rule.shadow();
    }

    /**
     * @return the rule called {@code ruleName}
     * @throws IllegalArgumentException naming the known rules when there is none
     */
    public Rule rule(String ruleName) {
        Rule r = byName.get(ruleName);
        if (r == null) {
            throw new IllegalArgumentException("policy '" + name + "' has no rule '" + ruleName + "'; known: "
                    + byName.keySet());
        }
        return r;
    }

    /** @return a builder holding this policy's fields, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(name).version(version).errorType(errorType).shadow(shadow);
        b.provenance.addAll(provenance);
        b.rules.addAll(rules);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Policy)) {
            return false;
        }
        Policy p = (Policy) o;
        return name.equals(p.name) && version.equals(p.version) && errorType.equals(p.errorType)
                && provenance.equals(p.provenance) && rules.equals(p.rules) && shadow == p.shadow;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, errorType, provenance, rules, shadow);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Policy[").append(shadow ? "shadow " : "").append(name).append(' ')
                .append(version)
                .append(", error type ").append(errorType);
        if (!provenance.isEmpty()) {
            sb.append(", from ").append(provenance);
        }
        for (Rule r : rules) {
            sb.append("\n  ").append(r);
        }
        return sb.append(rules.isEmpty() ? "]" : "\n]").toString();
    }

    /** Collects a policy's fields; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String version = "1";
        private String errorType = "rate_limit_exceeded";
        private final List<Provenance> provenance = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();
        private boolean shadow;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("policy name must not be blank");
            }
            this.name = name;
        }

        /** Sets the version (default "1"). */
        public Builder version(String version) {
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException("policy '" + name + "': version must not be blank");
            }
            this.version = version;
            return this;
        }

        /** Sets the {@code type} of a denial's JSON body (default {@code rate_limit_exceeded}). */
        public Builder errorType(String errorType) {
            this.errorType = Objects.requireNonNull(errorType, "errorType");
            return this;
        }

        /** Adds the source of a policy-wide fact. */
        public Builder source(String document, String row) {
            provenance.add(Provenance.of(document, row));
            return this;
        }

        /** Sets whether the whole policy runs in shadow mode (see {@link Policy#shadow()}); default false. */
        public Builder shadow(boolean shadow) {
            this.shadow = shadow;
            return this;
        }

        /** Adds a rule. */
        public Builder rule(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * @return the validated policy
         * @throws IllegalArgumentException when it has no rules, or two rules share a name or a limit name
         */
        public Policy build() {
            if (rules.isEmpty()) {
                throw new IllegalArgumentException("policy '" + name + "' has no rules");
            }
            Map<String, String> limitOwners = new HashMap<>();
            Map<String, Rule> names = new HashMap<>();
            for (Rule r : rules) {
                if (names.put(r.name(), r) != null) {
                    throw new IllegalArgumentException("policy '" + name + "': rule '" + r.name()
                            + "' is declared twice");
                }
                String owner = limitOwners.put(r.limit().name(), r.name());
                if (owner != null) {
                    throw new IllegalArgumentException("policy '" + name + "': rules '" + owner + "' and '"
                            + r.name() + "' both use limit name '" + r.limit().name() + "'");
                }
            }
            return new Policy(this);
        }
    }
}
