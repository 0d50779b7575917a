package dev.limiter.micrometer;

import dev.limiter.Limiter;
import dev.limiter.TimerStats;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Rule;
import dev.limiter.policy.RuleCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link PolicyGate}'s per-rule totals and tables to Micrometer, tagged {@code policy}
 * and {@code rule}, and keeps them in step with {@link PolicyGate#swap policy swaps}.
 *
 * <p>Per rule of the current policy:
 * <ul>
 *   <li>function counters over the gate's striped {@link RuleCounters} (read at scrape time; the
 *       request path only increments them): {@value #ADMITTED}, {@value #DENIED},
 *       {@value #SHADOW_DENIED}, {@value #NEAR_LIMIT};</li>
 *   <li>gauges over the rule's limiter: {@value #KEYS} (keys holding state) and
 *       {@value #CAPACITY} (keys its table can hold); NaN once the rule is gone or the gate is
 *       closed.</li>
 *   <li>a function counter {@value #EVICTIONS} over the rule's limiter: idle keys evicted from its
 *       table. It counts per limiter, so it starts again from 0 when a swap changes the rule's
 *       limit (and with it the limiter); it keeps its last value once the gate is closed.</li>
 * </ul>
 * Per gate, tagged {@code policy} (from the gate's {@link PolicyGate#timers() timers}, over the
 * engines of its current policy; zeros where no engine runs timers):
 * <ul>
 *   <li>{@value #PENDING_TIMERS}: timers pending (lease reclaims, waiting requests);</li>
 *   <li>{@value #RECLAIMED_LEASES}: leases reclaimed on time because they were held too long
 *       (a function counter; a swap that retires an engine drops its share);</li>
 *   <li>{@value #TIMER_LATENESS}: how late timers fired, a time gauge per {@code percentile} tag
 *       (0.5, 0.99, 0.999), the worst engine's, over every timer fired so far.</li>
 * </ul>
 * After a swap, meters of rules no longer in the policy are removed and rules new to it get
 * theirs; a rule kept by name keeps its meters, whose counts continue (totals are kept by rule
 * name). Thread-safe; {@link #close()} removes every meter and stops following swaps.
 */
public final class PolicyGateMetrics implements MeterBinder, AutoCloseable {
    /** Requests a rule admitted (its permits were taken). */
    public static final String ADMITTED = "limiter.rule.admitted";
    /** Requests a rule denied. */
    public static final String DENIED = "limiter.rule.denied";
    /** Requests a shadow-mode rule would have denied. */
    public static final String SHADOW_DENIED = "limiter.rule.shadow.denied";
    /** Admissions that left a rule near its limit (see {@link RuleCounters#nearLimit()}). */
    public static final String NEAR_LIMIT = "limiter.rule.near.limit";
    /** Keys holding state in a rule's table. */
    public static final String KEYS = "limiter.rule.keys";
    /** Keys a rule's table can hold. */
    public static final String CAPACITY = "limiter.rule.capacity";
    /** Idle keys evicted from a rule's table (see {@link Limiter#evictions()}). */
    public static final String EVICTIONS = "limiter.rule.evictions";

    /** Timers pending in the gate's engines. */
    public static final String PENDING_TIMERS = "limiter.timers.pending";
    /** Leases the gate's engines reclaimed on time. */
    public static final String RECLAIMED_LEASES = "limiter.leases.reclaimed";
    /** Timer lateness at a percentile (tag {@code percentile}). */
    public static final String TIMER_LATENESS = "limiter.timer.lateness";
    private static final double[] LATENESS_PERCENTILES = {50.0, 99.0, 99.9};

    private final PolicyGate gate;
    private final Tags tags;
    private final Runnable onSwap = this::rebind;
    /** Per registry bound: meters by "policy/rule". */
    private final Map<MeterRegistry, Map<String, List<Meter>>> bound = new LinkedHashMap<>();

    /** Meters for {@code gate}, with no extra tags. */
    public PolicyGateMetrics(PolicyGate gate) {
        this(gate, Tags.empty());
    }

    /** Meters for {@code gate}, each carrying {@code tags} besides {@code policy} and {@code rule}. */
    public PolicyGateMetrics(PolicyGate gate, Iterable<Tag> tags) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.tags = Tags.of(tags);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (bound.isEmpty()) {
            gate.addSwapListener(onSwap);
        }
        bound.computeIfAbsent(registry, r -> new LinkedHashMap<>());
        rebind();
    }

    /** Brings every bound registry in step with the gate's current policy. */
    private synchronized void rebind() {
        String policy = gate.policy().name();
        Set<String> wanted = new HashSet<>();
        wanted.add("gate:" + policy);
        for (Rule r : gate.policy().rules()) {
            wanted.add(policy + "/" + r.name());
        }
        for (Map.Entry<MeterRegistry, Map<String, List<Meter>>> e : bound.entrySet()) {
            MeterRegistry registry = e.getKey();
            Map<String, List<Meter>> meters = e.getValue();
            meters.entrySet().removeIf(m -> {
                if (wanted.contains(m.getKey())) {
                    return false;
                }
                m.getValue().forEach(registry::remove);
                return true;
            });
            meters.computeIfAbsent("gate:" + policy, k -> bindGate(registry, policy));
            for (Rule r : gate.policy().rules()) {
                meters.computeIfAbsent(policy + "/" + r.name(), k -> bindRule(registry, policy, r.name()));
            }
        }
    }

    /** Registers the gate's timer meters. */
    private List<Meter> bindGate(MeterRegistry registry, String policy) {
        Tags t = tags.and("policy", policy);
        TimerStats timers = gate.timers();
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder(PENDING_TIMERS, timers, x -> x.pendingTimers()).tags(t)
                .description("timers pending: lease reclaims and waiting requests").baseUnit("timers")
                .register(registry));
        meters.add(FunctionCounter.builder(RECLAIMED_LEASES, timers, x -> x.reclaimedLeases()).tags(t)
                .description("leases reclaimed because they were held past their maximum hold time")
                .baseUnit("leases").register(registry));
        for (double p : LATENESS_PERCENTILES) {
            meters.add(TimeGauge.builder(TIMER_LATENESS, timers, TimeUnit.NANOSECONDS, x -> x.timerLatenessNanos(p))
                    .tags(t.and("percentile", Double.toString(p / 100.0)))
                    .description("how late timers fired, at this percentile").register(registry));
        }
        return meters;
    }

    /** Registers one rule's meters. */
    private List<Meter> bindRule(MeterRegistry registry, String policy, String rule) {
        Tags t = tags.and("policy", policy, "rule", rule);
        RuleCounters c = gate.counters(rule);
        List<Meter> meters = new ArrayList<>();
        meters.add(counter(registry, ADMITTED, "requests the rule admitted", c, RuleCounters::admitted, t));
        meters.add(counter(registry, DENIED, "requests the rule denied", c, RuleCounters::denied, t));
        meters.add(counter(registry, SHADOW_DENIED, "requests the rule would have denied in shadow mode", c,
                RuleCounters::shadowDenied, t));
        meters.add(counter(registry, NEAR_LIMIT, "admissions that left the rule at most a tenth of its limit", c,
                RuleCounters::nearLimit, t));
        meters.add(FunctionCounter.builder(EVICTIONS, gate, new LastReading(rule)).tags(t)
                .description("idle keys evicted from the rule's table").baseUnit("keys").register(registry));
        for (Map.Entry<String, ToDoubleFunction<Limiter>> g : limiterGauges().entrySet()) {
            ToDoubleFunction<Limiter> f = g.getValue();
            meters.add(Gauge.builder(g.getKey(), gate, x -> readLimiter(x, rule, f)).tags(t)
                    .description(g.getKey().equals(KEYS) ? "keys holding state in the rule's table"
                            : "keys the rule's table can hold")
                    .baseUnit("keys").register(registry));
        }
        return meters;
    }

    /** @return the per-limiter gauges, by meter name: keys and capacity */
    static Map<String, ToDoubleFunction<Limiter>> limiterGauges() {
        Map<String, ToDoubleFunction<Limiter>> m = new LinkedHashMap<>();
        m.put(KEYS, Limiter::keyCount);
        m.put(CAPACITY, Limiter::capacity);
        return m;
    }

    private static double readLimiter(PolicyGate gate, String rule, ToDoubleFunction<Limiter> f) {
        try {
            return gate.isClosed() ? Double.NaN : f.applyAsDouble(gate.limiter(rule));
        } catch (IllegalArgumentException | IllegalStateException goneOrClosed) {
            return Double.NaN;
        }
    }

    /** Reads a rule's evictions, keeping the last reading once the rule's limiter is gone or closed. */
    private static final class LastReading implements ToDoubleFunction<PolicyGate> {
        private final String rule;
        private volatile double last;

        LastReading(String rule) {
            this.rule = rule;
        }

        @Override
        public double applyAsDouble(PolicyGate gate) {
            double v = readLimiter(gate, rule, Limiter::evictions);
            if (!Double.isNaN(v)) {
                last = v;
            }
            return last;
        }
    }

    private static FunctionCounter counter(MeterRegistry registry, String name, String description, RuleCounters c,
                                           ToDoubleFunction<RuleCounters> f, Tags t) {
        return FunctionCounter.builder(name, c, f).tags(t).description(description).baseUnit("requests")
                .register(registry);
    }

    /** Removes every meter this binding registered and stops following the gate's swaps. */
    @Override
    public synchronized void close() {
        gate.removeSwapListener(onSwap);
        for (Map.Entry<MeterRegistry, Map<String, List<Meter>>> e : bound.entrySet()) {
            e.getValue().values().forEach(ms -> ms.forEach(e.getKey()::remove));
        }
        bound.clear();
    }
}
