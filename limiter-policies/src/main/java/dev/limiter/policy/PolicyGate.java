package dev.limiter.policy;

import dev.limiter.Clock;
import dev.limiter.FixedLimitException;
import dev.limiter.LimiterEngineFactory;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.TimerStats;
import dev.limiter.WhenFull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

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
 * may hold its own from {@link #newEvaluator()}. The policy may be replaced while requests flow
 * ({@link #swap}); rules in shadow mode count without denying (see {@link Rule#shadow()}); each
 * rule's totals are in {@link #counters(String)}. Operators may {@link #lift} a
 * {@link OverrideKind#LIFTED_WHEN_VERIFIED} rule for a verified key at any time. Closing the
 * gate closes the engines it created (for its first policy and for swaps), not one it was given.
 */
public final class PolicyGate implements AutoCloseable {
    /**
     * Live keys each rule's table holds when no capacity is given: 65,536. Keys whose state has
     * decayed (a window that ended, a bucket that refilled) are evicted by the engine, so the
     * capacity bounds the keys live <em>at once</em>, not the keys ever seen: on the off-heap engine
     * a rule's table takes 2 x capacity + 64 keys before it rotates out the idle ones, about 60 bytes
     * per unit of capacity for one-word rules. Size it as (distinct keys a rule sees per period) x
     * (its period plus a margin), e.g. a per-grant 1-second rule that sees 20,000 grants a second
     * needs about 40,000; raise it with {@link Builder#capacity(String, long)} or
     * {@link Builder#defaultCapacity(long)}. When a table is truly full of live keys, new keys are
     * denied ({@link dev.limiter.Outcome#TABLE_FULL_DENIED}) with a retry-after that says when the
     * earliest of them decays.
     */
    public static final long DEFAULT_CAPACITY = 1L << 16;

    private final LimiterEngine firstEngine;
    private final EngineSource engines;
    private final Map<String, RuleCounters> counters = new ConcurrentHashMap<>();
    private final List<Runnable> swapListeners = new CopyOnWriteArrayList<>();
    private final ThreadLocal<PolicyEvaluator> evaluators;
    private final TimerStats timers = new GateTimers(this);
    private final GateCell cell;

    private PolicyGate(Builder b) {
        this.engines = new EngineSource(b.clock, b.whenFull, b.defaultCapacity, b.capacities, b.factory, b.engine);
        GateState first = GateState.build(b.policy, null, engines::create, counters);
        this.firstEngine = first.engine(0);
        GateCell c = new GateCell(firstEngine.clock(), first);
        this.cell = c;
        this.evaluators = ThreadLocal.withInitial(() -> new PolicyEvaluator(c));   // c, never this: see GateCell
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

    /**
     * Evaluates {@code request} now, letting it wait where a rule allows ({@link Rule#maxWait()};
     * see {@link PolicyEvaluator#evaluate(RequestView, long, VerdictListener)}). Allocates the
     * future; an event loop that wants no allocation on the common path uses the listener form.
     *
     * @return the verdict, at once or when the wait ends; cancelling it withdraws a wait
     */
    public CompletableFuture<Verdict> evaluateAsync(RequestView request) {
        FutureVerdict f = new FutureVerdict();
        Verdict v = evaluators.get().evaluate(request, cell.clock().nanoTime(), f);
        if (v != null) {
            f.complete(v);
        }
        return f;
    }

    /** Evaluates {@code request} now on this thread's evaluator, letting it wait; see {@link PolicyEvaluator#evaluate(RequestView, long, VerdictListener)}. */
    public Verdict evaluate(RequestView request, VerdictListener listener) {
        return evaluators.get().evaluate(request, cell.clock().nanoTime(), listener);
    }

    /** @return a new evaluator for one thread or event loop */
    public PolicyEvaluator newEvaluator() {
        return new PolicyEvaluator(cell);
    }

    /**
     * Replaces the policy, atomically: requests that started before the swap finish on the old
     * policy (and return their concurrency permits to the engine that granted them), requests that
     * start after it see only the new one. A rule whose name, key parts, member parts and limit are
     * unchanged keeps its counter state, per-key raises and lifted keys; every other rule starts
     * fresh, in a new engine made for the fresh rules by the builder's factory (else the discovered
     * one), owned and closed by this gate. Rule
     * counters are kept by rule name. Swap listeners run after the swap, on this thread.
     *
     * @return the policy replaced
     * @throws IllegalStateException when the gate is closed
     * @throws IllegalArgumentException when a fresh rule's limit cannot be registered; nothing changes
     */
    public synchronized Policy swap(Policy newPolicy) {
        Objects.requireNonNull(newPolicy, "policy");
        if (isClosed()) {
            throw new IllegalStateException("the policy gate for '" + policy().name() + "' is closed");
        }
        GateState old = cell.state();
        cell.swap(GateState.build(newPolicy, old, engines::create, counters));
        for (Runnable listener : swapListeners) {
            listener.run();
        }
        return old.policy();
    }

    /** Runs {@code listener} after every {@link #swap}, on the swapping thread (metrics bindings rebind there). */
    public void addSwapListener(Runnable listener) {
        swapListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addSwapListener}. */
    public void removeSwapListener(Runnable listener) {
        swapListeners.remove(listener);
    }

    /**
     * Closes the engines this gate made that no rule of the current policy uses any more. Call it
     * once the requests that started before the last swaps have finished: one still deciding on a
     * closed engine gets {@link IllegalStateException}, and a verdict still holding its permits
     * returns none.
     *
     * @return how many engines were closed
     */
    public synchronized int closeRetired() {
        return engines.closeRetired(cell.state().engines());
    }

    /**
     * @return the running totals of the rule called {@code ruleName} (kept across swaps by name)
     * @throws IllegalArgumentException when no rule of this name was ever in the gate's policy
     */
    public RuleCounters counters(String ruleName) {
        RuleCounters c = counters.get(ruleName);
        if (c == null) {
            throw new IllegalArgumentException("no rule '" + ruleName + "' has been in this gate's policy");
        }
        return c;
    }

    /**
     * @return the limiter holding the counter state of rule {@code ruleName} of the current policy
     *     (its {@link Limiter#keyCount()} and {@link Limiter#capacity()} for metrics)
     * @throws IllegalArgumentException when the current policy has no such rule
     */
    public Limiter limiter(String ruleName) {
        GateState s = cell.state();
        int i = s.indexOf(ruleName);
        if (i < 0) {
            s.policy().rule(ruleName); // throws, naming the known rules
        }
        return s.limiter(i);
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
        GateState s = cell.state();
        int i = indexOf(s, ruleName);
        Rule r = s.policy().rules().get(i);
        if (r.override() != OverrideKind.LIFTED_WHEN_VERIFIED) {
            throw new IllegalArgumentException("rule '" + ruleName + "' is " + r.override()
                    + "; only " + OverrideKind.LIFTED_WHEN_VERIFIED + " rules can be lifted");
        }
        s.lifted(i).add(KeyReader.operatorKey(r, keyValues));
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
        GateState s = cell.state();
        int i = indexOf(s, ruleName);
        Rule r = s.policy().rules().get(i);
        String key = KeyReader.operatorKey(r, keyValues);
        switch (r.override()) {
            case FIXED:
                throw new FixedLimitException("rule '" + ruleName + "' is fixed: its limit of "
                        + r.limit().permits() + " cannot be raised or lifted");
            case LIFTED_WHEN_VERIFIED:
                throw new IllegalArgumentException("rule '" + ruleName + "' is lifted when verified; use lift()");
            default:
                s.limiter(i).override(key, permits);
        }
    }

    /**
     * Returns one key of rule {@code ruleName} to the rule's own limit.
     *
     * @return whether the key had its own limit
     */
    public boolean clearRaise(String ruleName, String... keyValues) {
        GateState s = cell.state();
        int i = indexOf(s, ruleName);
        return s.limiter(i).clearOverride(KeyReader.operatorKey(s.policy().rules().get(i), keyValues));
    }

    private static int indexOf(GateState s, String ruleName) {
        int i = s.indexOf(ruleName);
        if (i < 0) {
            s.policy().rule(ruleName); // throws, naming the known rules
        }
        return i;
    }

    /** @return the current policy */
    public Policy policy() {
        return cell.state().policy();
    }

    /** @return the current policy's compiled matcher */
    public RouteMatcher matcher() {
        return cell.state().matcher();
    }

    /**
     * @return the engine the gate started with (given, or made for the first policy); after a
     *     {@link #swap} that added or changed rules, their limiters live in further engines (see
     *     {@link #limiter(String)})
     */
    public LimiterEngine engine() {
        return firstEngine;
    }

    /**
     * @return what the timers of the current policy's engines report (lease reclaims, waiting
     *     requests), summed over engines, lateness as the worst engine's; zeros where no engine runs timers
     */
    public TimerStats timers() {
        return timers;
    }

    /** @return the clock of the gate's engines */
    Clock clock() {
        return cell.clock();
    }

    GateState state() {
        return cell.state();
    }

    /**
     * @return whether this gate is closed, or its engine is: then every request is refused alike,
     *     with {@link IllegalStateException}
     */
    public boolean isClosed() {
        return cell.isClosed(cell.state());
    }

    /** Closes the gate, and every engine it created (not one it was given); idempotent. */
    @Override
    public void close() {
        cell.close();
        engines.closeAll();
    }

    @Override
    public String toString() {
        GateState s = cell.state();
        return "PolicyGate[" + s.policy().name() + " " + s.policy().version() + ", " + s.ruleCount() + " rules]";
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

        /**
         * Sets the live keys every rule's table holds unless {@link #capacity(String, long)} says
         * otherwise; see {@link PolicyGate#DEFAULT_CAPACITY} for how to size it.
         */
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
