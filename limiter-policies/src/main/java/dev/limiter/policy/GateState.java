package dev.limiter.policy;

import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything one policy of a {@link PolicyGate} decides with, immutable once built: the policy, its
 * compiled matcher, and per rule its limiter, the engine holding it, its lifted keys, its counters
 * and whether it runs in shadow mode. The gate swaps one volatile reference to it, so a request
 * decides wholly on the state it started with.
 *
 * <p><b>What a swap keeps.</b> A rule of the new policy whose name, key parts, member parts and
 * {@link dev.limiter.Limit} equal those of a rule of the old one keeps that rule's limiter (its
 * counter state and per-key raises) and its lifted keys. Every other rule starts fresh, in a new
 * engine made for the fresh rules alone, since an engine's limits are fixed when it is made.
 * Counters ({@link RuleCounters}) are kept by rule name whatever changed.
 */
final class GateState {
    /** Makes an engine registering the limits of {@code rules}. */
    @FunctionalInterface
    interface EngineMaker {
        LimiterEngine create(List<Rule> rules);
    }

    private final Policy policy;
    private final RouteMatcher matcher;
    private final Limiter[] limiters;
    private final LimiterEngine[] engineOfRule;
    private final int[] generationOfRule;
    private final LimiterEngine[] engines;
    private final List<Set<String>> lifted;
    private final RuleCounters[] counters;
    private final boolean[] shadow;
    private final boolean[] concurrency;

    private GateState(Policy policy, Limiter[] limiters, LimiterEngine[] engineOfRule, List<LimiterEngine> engines,
                      List<Set<String>> lifted, RuleCounters[] counters) {
        this.policy = policy;
        this.matcher = RouteMatcher.compile(policy);
        this.limiters = limiters;
        this.engineOfRule = engineOfRule;
        this.engines = engines.toArray(new LimiterEngine[0]);
        this.generationOfRule = new int[limiters.length];
        this.lifted = lifted;
        this.counters = counters;
        this.shadow = new boolean[limiters.length];
        this.concurrency = new boolean[limiters.length];
        for (int i = 0; i < limiters.length; i++) {
            generationOfRule[i] = engines.indexOf(engineOfRule[i]);
            Rule r = policy.rules().get(i);
            shadow[i] = policy.shadows(r);
            concurrency[i] = r.limit().algorithm() == dev.limiter.Algorithm.CONCURRENCY;
        }
    }

    /**
     * Builds the state of {@code policy}, keeping what {@code previous} (null for the first) holds
     * for every unchanged rule and asking {@code maker} for one engine holding the fresh rules.
     *
     * @param counters the gate's counters by rule name; a rule new by name gets new ones
     * @throws IllegalArgumentException when an engine's limiter does not enforce its rule's limit
     */
    static GateState build(Policy policy, GateState previous, EngineMaker maker, Map<String, RuleCounters> counters) {
        List<Rule> rules = policy.rules();
        int n = rules.size();
        Limiter[] limiters = new Limiter[n];
        LimiterEngine[] engineOfRule = new LimiterEngine[n];
        List<Set<String>> lifted = new ArrayList<>(n);
        RuleCounters[] ruleCounters = new RuleCounters[n];
        List<Rule> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Rule r = rules.get(i);
            ruleCounters[i] = counters.computeIfAbsent(r.name(), RuleCounters::new);
            int old = previous == null ? -1 : previous.unchangedIndex(r);
            if (old >= 0) {
                limiters[i] = previous.limiters[old];
                engineOfRule[i] = previous.engineOfRule[old];
                lifted.add(liftable(r) ? previous.lifted.get(old) : null);
            } else {
                fresh.add(r);
                lifted.add(liftable(r) ? ConcurrentHashMap.newKeySet() : null);
            }
        }
        List<LimiterEngine> engines = new ArrayList<>();
        if (!fresh.isEmpty()) {
            LimiterEngine engine = Objects.requireNonNull(maker.create(fresh), "engine maker returned null");
            for (int i = 0; i < n; i++) {
                if (limiters[i] == null) {
                    Rule r = rules.get(i);
                    Limiter l = engine.limiter(r.limit().name());
                    if (!l.limit().equals(r.limit())) {
                        throw new IllegalArgumentException("the engine's limit '" + r.limit().name() + "' is "
                                + l.limit() + " but rule '" + r.name() + "' needs " + r.limit());
                    }
                    limiters[i] = l;
                    engineOfRule[i] = engine;
                }
            }
        }
        if (previous != null) {
            for (LimiterEngine e : previous.engines) {
                if (List.of(engineOfRule).contains(e)) {
                    engines.add(e);
                }
            }
        }
        for (LimiterEngine e : engineOfRule) {
            if (!engines.contains(e)) {
                engines.add(e);
            }
        }
        return new GateState(policy, limiters, engineOfRule, engines, lifted, ruleCounters);
    }

    private static boolean liftable(Rule r) {
        return r.override() == OverrideKind.LIFTED_WHEN_VERIFIED;
    }

    /** @return the index of the rule of this state that {@code r} continues (same name, key, members and limit), or -1 */
    int unchangedIndex(Rule r) {
        List<Rule> rules = policy.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule old = rules.get(i);
            if (old.name().equals(r.name()) && old.key().equals(r.key()) && old.member().equals(r.member())
                    && old.limit().equals(r.limit())) {
                return i;
            }
        }
        return -1;
    }

    Policy policy() {
        return policy;
    }

    RouteMatcher matcher() {
        return matcher;
    }

    int ruleCount() {
        return limiters.length;
    }

    Limiter limiter(int rule) {
        return limiters[rule];
    }

    LimiterEngine engine(int rule) {
        return engineOfRule[rule];
    }

    /** @return the position of rule {@code rule}'s engine in {@link #engines()}, oldest first */
    int generation(int rule) {
        return generationOfRule[rule];
    }

    /** @return the distinct engines this state's rules live in, oldest first */
    LimiterEngine[] engines() {
        return engines;
    }

    Set<String> lifted(int rule) {
        return lifted.get(rule);
    }

    RuleCounters counters(int rule) {
        return counters[rule];
    }

    boolean shadow(int rule) {
        return shadow[rule];
    }

    boolean concurrency(int rule) {
        return concurrency[rule];
    }

    /** @return whether some engine of this state is closed (then no request can be decided) */
    boolean anyEngineClosed() {
        for (LimiterEngine e : engines) {
            if (e.isClosed()) {
                return true;
            }
        }
        return false;
    }

    /** @return the index of the rule called {@code name}, or -1 */
    int indexOf(String name) {
        List<Rule> rules = policy.rules();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
