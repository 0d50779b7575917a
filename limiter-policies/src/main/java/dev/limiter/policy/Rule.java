package dev.limiter.policy;

import dev.limiter.Algorithm;
import dev.limiter.Limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One immutable rate-limit rule: which requests it matches (routes and conditions, minus
 * exemptions), how it keys them, the {@link Limit} it enforces, what each request costs, the
 * message a denial carries, where it comes from, and how operators may override it.
 *
 * <pre>{@code
 * Rule email = Rule.named("nylas3-email")
 *         .route("*", "/v3/grants/{grant_id}/messages/**")
 *         .route("GET", "/v3/grants/{grant_id}/threads", 10)
 *         .key(KeyPart.pathVariable("grant_id"))
 *         .limit(Limit.fixedWindow("nylas3-email", 200, Duration.ofSeconds(1)).build())
 *         .message("Too many requests")
 *         .source("001_0255217927bc240f.txt", "nylas3-email")
 *         .build();
 * }</pre>
 *
 * <p><b>Precedence.</b> A rule with no {@link Builder#group(String) group} applies whenever one
 * of its routes matches. Among the matching rules that share a group, only those whose matching
 * route is the most specific apply (see {@link PathTemplate}); ties all apply. Within one rule,
 * the most specific matching route decides the cost and the path variables.
 */
public final class Rule {
    private final String name;
    private final List<Route> routes;
    private final List<Condition> conditions;
    private final List<Condition> exemptions;
    private final String group;
    private final List<KeyPart> key;
    private final List<KeyPart> member;
    private final Limit limit;
    private final long cost;
    private final String message;
    private final List<Provenance> provenance;
    private final OverrideKind override;
    private final boolean catchAll;
    private final boolean shadow;
    private final Duration maxWait;

    private Rule(Builder b, Limit limit) {
        this.name = b.name;
        this.routes = List.copyOf(b.routes);
        this.conditions = List.copyOf(b.conditions);
        this.exemptions = List.copyOf(b.exemptions);
        this.group = b.group;
        this.key = List.copyOf(b.key);
        this.member = List.copyOf(b.member);
        this.limit = limit;
        this.cost = b.cost;
        this.message = b.message;
        this.provenance = List.copyOf(b.provenance);
        this.override = b.override;
        this.catchAll = b.catchAll;
        this.shadow = b.shadow;
        this.maxWait = b.maxWait;
    }

    /** Starts a rule called {@code name} (unique within its policy). */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** @return the rule's name */
    public String name() {
        return name;
    }

    /** @return the routes, in declaration order */
    public List<Route> routes() {
        return routes;
    }

    /** @return conditions that must all hold for the rule to apply */
    public List<Condition> conditions() {
        return conditions;
    }

    /** @return conditions any one of which exempts a request from the rule (it is not counted) */
    public List<Condition> exemptions() {
        return exemptions;
    }

    /** @return the precedence group, or null when the rule always applies on a match */
    public String group() {
        return group;
    }

    /**
     * @return the key parts (never empty: one bucket for every request is
     *     {@link KeyPart#shared(String)}, chosen on purpose)
     */
    public List<KeyPart> key() {
        return key;
    }

    /**
     * @return the member key parts of a {@link Algorithm#CARDINALITY} rule (the distinct things
     *     counted under each key, such as users under a developer); empty for other rules
     */
    public List<KeyPart> member() {
        return member;
    }

    /** @return the limit */
    public Limit limit() {
        return limit;
    }

    /** @return the permits a request takes on a route without a cost of its own */
    public long cost() {
        return cost;
    }

    /** @return the message of a denial by this rule */
    public String message() {
        return message;
    }

    /** @return the sources, the primary one first */
    public List<Provenance> provenance() {
        return provenance;
    }

    /** @return how operators may override the limit per key */
    public OverrideKind override() {
        return override;
    }

    /**
     * @return whether this is a catch-all rule: it applies only to requests to which no regular
     *     (not catch-all) rule of its {@link #group() group} applies, or, without a group, no
     *     regular rule of the policy at all ("these limits apply to all endpoints")
     */
    public boolean catchAll() {
        return catchAll;
    }

    /**
     * @return whether this rule runs in shadow mode: its counters run as if it were enforced
     *     alone, a request it would deny is counted and marked ({@link Verdict#shadowDenied()}),
     *     and nothing is ever denied by it
     */
    public boolean shadow() {
        return shadow;
    }

    /**
     * @return how long a request this rule denies may wait for its permits instead of being
     *     answered 429 at once, where the gateway waits ({@link PolicyGate#evaluateAsync}); zero
     *     (the default) never waits
     */
    public Duration maxWait() {
        return maxWait;
    }

    /** @return a builder holding this rule's fields, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.routes.addAll(routes);
        b.conditions.addAll(conditions);
        b.exemptions.addAll(exemptions);
        b.group = group;
        b.key.addAll(key);
        b.member.addAll(member);
        b.limit = limit;
        b.cost = cost;
        b.message = message;
        b.provenance.addAll(provenance);
        b.override = override;
        b.catchAll = catchAll;
        b.shadow = shadow;
        b.maxWait = maxWait;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Rule)) {
            return false;
        }
        Rule r = (Rule) o;
        return cost == r.cost && name.equals(r.name) && routes.equals(r.routes) && conditions.equals(r.conditions)
                && exemptions.equals(r.exemptions) && Objects.equals(group, r.group) && key.equals(r.key)
                && member.equals(r.member) && limit.equals(r.limit) && message.equals(r.message) && provenance.equals(r.provenance)
                && override == r.override && catchAll == r.catchAll && shadow == r.shadow && maxWait.equals(r.maxWait);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, routes, conditions, exemptions, group, key, member, limit, cost, message,
                provenance, override, catchAll, shadow, maxWait);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Rule[").append(name).append(": ").append(shadow ? "shadow " : "").append(catchAll ? "catch-all " : "")
                .append(routes);
        if (!conditions.isEmpty()) {
            sb.append(" when ").append(conditions);
        }
        if (!exemptions.isEmpty()) {
            sb.append(" except ").append(exemptions);
        }
        if (group != null) {
            sb.append(" group ").append(group);
        }
        sb.append(" per ").append(key);
        if (!member.isEmpty()) {
            sb.append(" counting ").append(member);
        }
        sb.append(' ').append(limit);
        if (cost != 1) {
            sb.append(" cost ").append(cost);
        }
        if (!maxWait.isZero()) {
            sb.append(" wait ").append(maxWait);
        }
        return sb.append(" '").append(message).append("' ").append(override.name().toLowerCase(java.util.Locale.ROOT))
                .append(" from ").append(provenance).append(']').toString();
    }

    /** Collects a rule's fields; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final List<Route> routes = new ArrayList<>();
        private final List<Condition> conditions = new ArrayList<>();
        private final List<Condition> exemptions = new ArrayList<>();
        private String group;
        private final List<KeyPart> key = new ArrayList<>();
        private final List<KeyPart> member = new ArrayList<>();
        private Limit limit;
        private long cost = 1;
        private String message = "Too many requests";
        private final List<Provenance> provenance = new ArrayList<>();
        private OverrideKind override = OverrideKind.RAISABLE;
        private boolean catchAll;
        private boolean shadow;
        private Duration maxWait = Duration.ZERO;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("rule name must not be blank");
            }
            this.name = name;
        }

        /** Adds a route matching any method. */
        public Builder route(String template) {
            return route("*", template);
        }

        /** Adds a route: {@code methods} is {@code "*"} or a comma-separated list such as {@code "GET,POST"}. */
        public Builder route(String methods, String template) {
            return route(methods, template, Route.DEFAULT_COST);
        }

        /** Adds a route whose requests take {@code cost} permits each (per-method or per-route cost). */
        public Builder route(String methods, String template, long cost) {
            try {
                routes.add(new Route(methods, template, cost));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule '" + name + "': " + e.getMessage(), e);
            }
            return this;
        }

        /** Adds a condition that must hold (all of them must). */
        public Builder when(Condition condition) {
            conditions.add(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /** Adds an exemption: a request satisfying it is not counted by this rule. */
        public Builder exempt(Condition condition) {
            exemptions.add(Objects.requireNonNull(condition, "exemption"));
            return this;
        }

        /** Makes this a catch-all rule (see {@link Rule#catchAll()}). */
        public Builder catchAll() {
            this.catchAll = true;
            return this;
        }

        /** Sets whether the rule runs in shadow mode (see {@link Rule#shadow()}); default false. */
        public Builder shadow(boolean shadow) {
            this.shadow = shadow;
            return this;
        }

        /**
         * Lets a request this rule denies wait up to {@code maxWait} for its permits (see
         * {@link Rule#maxWait()}); default zero, no waiting. Cardinality rules cannot wait.
         */
        public Builder maxWait(Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("rule '" + name + "': maxWait must not be negative, was " + maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        /** Puts the rule in a precedence group (see {@link Rule}). */
        public Builder group(String group) {
            this.group = group;
            return this;
        }

        /** Appends key parts. */
        public Builder key(KeyPart... parts) {
            for (KeyPart p : parts) {
                key.add(Objects.requireNonNull(p, "key part"));
            }
            return this;
        }

        /** Appends member key parts: what a cardinality rule counts distinct values of under each key. */
        public Builder member(KeyPart... parts) {
            for (KeyPart p : parts) {
                member.add(Objects.requireNonNull(p, "member key part"));
            }
            return this;
        }

        /** Sets the limit. */
        public Builder limit(Limit limit) {
            this.limit = Objects.requireNonNull(limit, "limit");
            return this;
        }

        /** Sets the default cost of a request, in permits (default 1). */
        public Builder cost(long cost) {
            if (cost < 1) {
                throw new IllegalArgumentException("rule '" + name + "': cost must be at least 1, was " + cost);
            }
            this.cost = cost;
            return this;
        }

        /** Sets the denial message (default "Too many requests"). */
        public Builder message(String message) {
            this.message = Objects.requireNonNull(message, "message");
            return this;
        }

        /** Adds a source: document and checklist row id. */
        public Builder source(String document, String row) {
            provenance.add(Provenance.of(document, row));
            return this;
        }

        /** Sets how the limit may be overridden (default {@link OverrideKind#RAISABLE}). */
        public Builder override(OverrideKind kind) {
            this.override = Objects.requireNonNull(kind, "override");
            return this;
        }

        /**
         * @return the validated rule; a {@link OverrideKind#FIXED} rule's limit is made fixed
         * @throws IllegalArgumentException naming the rule and what is wrong
         */
        public Rule build() {
            if (routes.isEmpty()) {
                throw invalid("it has no routes");
            }
            if (limit == null) {
                throw invalid("it has no limit");
            }
            if (key.isEmpty()) {
                throw invalid("it has no key parts; one bucket for every request is KeyPart.shared(name), on purpose");
            }
            if (!maxWait.isZero() && limit.algorithm() == Algorithm.CARDINALITY) {
                throw invalid("a cardinality rule cannot wait: a member is admitted or not");
            }
            Limit effective = RuleValidation.effectiveLimit(name, routes, key, member, limit, cost, override);
            // Last: a rule under construction reports what is wrong with it before what it lacks.
            if (provenance.isEmpty()) {
                throw invalid("it cites no source (document and checklist row)");
            }
            return new Rule(this, effective);
        }

        private IllegalArgumentException invalid(String what) {
            return new IllegalArgumentException("rule '" + name + "' is invalid: " + what);
        }
    }
}
