package dev.limiter.policy;

import dev.limiter.Clock;
import dev.limiter.FixedLimitException;
import dev.limiter.Limit;
import dev.limiter.LimiterEngineFactory;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.WhenFull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A policy enforced on an engine: the one object a gateway embeds. Hand it each request and get
 * back a {@link Verdict} that is either "go" or a ready 429 response.
 *
 * <pre>{@code
 * PolicyGate gate = PolicyGate.of(NylasV3.policy(), Clock.system());
 * Verdict v = gate.evaluate(request);
 * if (!v.allowed()) { respond(v.status(), v.headers(), v.body()); return; }
 * try { forward(request); } finally { v.complete(); }
 * }</pre>
 *
 * <p>Thread-safe: {@link #evaluate} keeps one {@link PolicyEvaluator} per thread; an event loop
 * may hold its own from {@link #newEvaluator()}. Operators may {@link #lift} a
 * {@link OverrideKind#LIFTED_WHEN_VERIFIED} rule for a verified key at any time. Closing the
 * gate closes the engine it created (not one it was given).
 */
public final class PolicyGate implements AutoCloseable {
    /** Keys each rule's table holds when no capacity is given: 65,536. */
    public static final long DEFAULT_CAPACITY = 1L << 16;

    private final Policy policy;
    private final RouteMatcher matcher;
    private final LimiterEngine engine;
    private final boolean ownsEngine;
    private final Limiter[] limiters;
    /** Per rule: the keys lifted after verification; null for rules that cannot be lifted. */
    private final List<Set<String>> lifted;
    private final ThreadLocal<PolicyEvaluator> evaluators;
    private volatile boolean closed;

    private PolicyGate(Builder b) {
        this.policy = b.policy;
        this.matcher = RouteMatcher.compile(policy);
        List<Rule> rules = policy.rules();
        if (b.engine != null) {
            this.engine = b.engine;
            this.ownsEngine = false;
        } else {
            Map<Limit, Long> capacities = new LinkedHashMap<>();
            for (Rule r : rules) {
                capacities.put(r.limit(), b.capacities.getOrDefault(r.name(), b.defaultCapacity));
            }
            LimiterEngineFactory f = b.factory != null ? b.factory : LimiterEngineFactory.discover();
            this.engine = Objects.requireNonNull(f.create(b.clock, capacities, b.whenFull), "engine factory returned null");
            this.ownsEngine = true;
        }
        this.limiters = new Limiter[rules.size()];
        List<Set<String>> liftable = new ArrayList<>();
        for (int i = 0; i < limiters.length; i++) {
            Rule r = rules.get(i);
            Limiter l = engine.limiter(r.limit().name());
            if (!l.limit().equals(r.limit())) {
                throw new IllegalArgumentException("the engine's limit '" + r.limit().name() + "' is " + l.limit()
                        + " but rule '" + r.name() + "' needs " + r.limit());
            }
            limiters[i] = l;
            liftable.add(r.override() == OverrideKind.LIFTED_WHEN_VERIFIED ? ConcurrentHashMap.newKeySet() : null);
        }
        this.lifted = liftable;
        this.evaluators = ThreadLocal.withInitial(() -> new PolicyEvaluator(this));
    }

    /** A gate for {@code policy} on a new engine found by {@link LimiterEngineFactory#discover()}, with default capacities. */
    public static PolicyGate of(Policy policy, Clock clock) {
        return builder(policy).clock(clock).build();
    }

    /** Starts configuring a gate for {@code policy}. */
    public static Builder builder(Policy policy) {
        return new Builder(policy);
    }

    /** Evaluates {@code request} now, on this thread's evaluator. */
    public Verdict evaluate(RequestView request) {
        return evaluators.get().evaluate(request);
    }

    /** Evaluates {@code request} at {@code nowNanos}, on this thread's evaluator. */
    public Verdict evaluate(RequestView request, long nowNanos) {
        return evaluators.get().evaluate(request, nowNanos);
    }

    /** @return a new evaluator for one thread or event loop */
    public PolicyEvaluator newEvaluator() {
        return new PolicyEvaluator(this);
    }

    /**
     * Lifts rule {@code ruleName} for one key after verification (Context.IO's initial user limit):
     * from now on the rule neither counts nor denies that key's requests.
     *
     * @param keyValues the key's part values, one per key part of the rule, in order
     * @throws IllegalArgumentException when there is no such rule, the rule cannot be lifted, or
     *     the number of values differs from the rule's key parts
     */
    public void lift(String ruleName, String... keyValues) {
        int i = indexOf(ruleName);
        Rule r = policy.rules().get(i);
        if (r.override() != OverrideKind.LIFTED_WHEN_VERIFIED) {
            throw new IllegalArgumentException("rule '" + ruleName + "' is " + r.override()
                    + "; only " + OverrideKind.LIFTED_WHEN_VERIFIED + " rules can be lifted");
        }
        lifted.get(i).add(encodeKey(r, keyValues));
    }

    /**
     * Gives one key of rule {@code ruleName} its own limit of {@code permits} (raised, as "we work
     * with developers to increase this limit", or lowered), keeping the key's state.
     *
     * @param keyValues the key's part values, one per key part of the rule, in order
     * @throws FixedLimitException when the rule is {@link OverrideKind#FIXED}: it refuses every
     *     override, and nothing changes
     * @throws IllegalArgumentException when there is no such rule, the rule is
     *     {@link OverrideKind#LIFTED_WHEN_VERIFIED} (use {@link #lift}), the key values do not fit
     *     the rule's key, or {@code permits} is out of range
     */
    public void raise(String ruleName, long permits, String... keyValues) {
        int i = indexOf(ruleName);
        Rule r = policy.rules().get(i);
        String key = encodeKey(r, keyValues);
        switch (r.override()) {
            case FIXED:
                throw new FixedLimitException("rule '" + ruleName + "' is fixed: its limit of "
                        + r.limit().permits() + " cannot be raised or lifted");
            case LIFTED_WHEN_VERIFIED:
                throw new IllegalArgumentException("rule '" + ruleName + "' is lifted when verified; use lift()");
            default:
                limiters[i].override(key, permits);
        }
    }

    /**
     * Returns one key of rule {@code ruleName} to the rule's own limit.
     *
     * @return whether the key had its own limit
     */
    public boolean clearRaise(String ruleName, String... keyValues) {
        int i = indexOf(ruleName);
        return limiters[i].clearOverride(encodeKey(policy.rules().get(i), keyValues));
    }

    /** Encodes key values as the matcher does for each part's own (primary) value. */
    private static String encodeKey(Rule r, String... values) {
        if (values.length != r.key().size()) {
            throw new IllegalArgumentException("rule '" + r.name() + "' is keyed by " + r.key() + ": expected "
                    + r.key().size() + " key values, got " + values.length);
        }
        KeyBuffer k = new KeyBuffer();
        for (int i = 0; i < values.length; i++) {
            String v = Objects.requireNonNull(values[i], "key value");
            KeyPart part = r.key().get(i);
            KeyBuffer value = new KeyBuffer();
            if (part.source() == KeyPart.Source.HEADER) {
                KeyReader.appendHeader(part.name(), v, value);
            } else {
                value.append(v, 0, v.length());
            }
            k.append((char) 1).appendPart(value, 0, value.length());
        }
        return k.toString();
    }

    private int indexOf(String ruleName) {
        List<Rule> rules = policy.rules();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).name().equals(ruleName)) {
                return i;
            }
        }
        policy.rule(ruleName); // throws, naming the known rules
        throw new AssertionError();
    }

    /** @return the policy */
    public Policy policy() {
        return policy;
    }

    /** @return the compiled matcher */
    public RouteMatcher matcher() {
        return matcher;
    }

    /** @return the engine holding the counters */
    public LimiterEngine engine() {
        return engine;
    }

    Limiter[] limiters() {
        return limiters;
    }

    Set<String> lifted(int rule) {
        return lifted.get(rule);
    }

    /**
     * @return whether this gate is closed, or its engine is: then every request is refused alike,
     *     with {@link IllegalStateException}
     */
    public boolean isClosed() {
        return closed || engine.isClosed();
    }

    /** Closes the gate, and the engine when this gate created it; idempotent. */
    @Override
    public void close() {
        closed = true;
        if (ownsEngine) {
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "PolicyGate[" + policy.name() + " " + policy.version() + ", " + limiters.length + " rules]";
    }

    /** Configures a gate; not thread-safe. */
    public static final class Builder {
        private final Policy policy;
        private Clock clock = Clock.system();
        private WhenFull whenFull = WhenFull.DENY;
        private long defaultCapacity = DEFAULT_CAPACITY;
        private final Map<String, Long> capacities = new HashMap<>();
        private LimiterEngineFactory factory;
        private LimiterEngine engine;

        private Builder(Policy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        /** Sets the clock of a created engine (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets what a created engine does with a new key once a rule's table is full (default
         * {@link WhenFull#DENY}: the request gets a 429, and a gateway never sees an exception).
         */
        public Builder whenFull(WhenFull whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
            return this;
        }

        /** Sets the keys every rule's table holds unless {@link #capacity(String, long)} says otherwise. */
        public Builder defaultCapacity(long keys) {
            this.defaultCapacity = positive(keys);
            return this;
        }

        /** Sets the keys rule {@code ruleName}'s table holds. */
        public Builder capacity(String ruleName, long keys) {
            policy.rule(ruleName);
            capacities.put(ruleName, positive(keys));
            return this;
        }

        /** Creates the engine with {@code factory} instead of discovering one. */
        public Builder engine(LimiterEngineFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Runs on an existing engine that already registers every rule's limit (the gate will not close it). */
        public Builder engine(LimiterEngine existing) {
            this.engine = Objects.requireNonNull(existing, "engine");
            return this;
        }

        private static long positive(long keys) {
            if (keys < 1) {
                throw new IllegalArgumentException("capacity must be at least 1 key, was " + keys);
            }
            return keys;
        }

        /** @return the gate, with its engine created (or checked) */
        public PolicyGate build() {
            return new PolicyGate(this);
        }
    }
}
