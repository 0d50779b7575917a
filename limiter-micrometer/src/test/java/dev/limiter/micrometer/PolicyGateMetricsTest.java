package dev.limiter.micrometer;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.engine.OffHeapEngineFactory;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Rule;
import dev.limiter.policy.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binding's meters against a {@link SimpleMeterRegistry}: values, tags, and what a swap changes. */
class PolicyGateMetricsTest {

    private static Rule rule(String name, long permits, String template, boolean shadow) {
        return Rule.named(name).route("GET", template).key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow(name, permits, Duration.ofSeconds(1)).build()).source("doc", name)
                .shadow(shadow).build();
    }

    private static boolean get(PolicyGate gate, String path, long now) {
        Verdict v = gate.evaluate(Request.of("GET", path).build(), now);
        boolean allowed = v.allowed();
        v.complete();
        return allowed;
    }

    private static double count(SimpleMeterRegistry r, String name, String rule) {
        return r.get(name).tag("policy", "api").tag("rule", rule).functionCounter().count();
    }

    private static double gauge(SimpleMeterRegistry r, String name, String rule) {
        return r.get(name).tag("policy", "api").tag("rule", rule).gauge().value();
    }

    @Test
    void countersAndGaugesReportWhatTheGateDecided() {
        Policy policy = Policy.named("api").rule(rule("users", 10, "/users/{id}", false))
                .rule(rule("orders", 2, "/orders/{id}", true)).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PolicyGate gate = PolicyGate.builder(policy).clock(new ManualClock()).defaultCapacity(64).build();
             PolicyGateMetrics metrics = new PolicyGateMetrics(gate)) {
            metrics.bindTo(registry);
            for (int i = 0; i < 12; i++) { // 10 admitted, 2 denied; the 9th and 10th leave at most 1 of 10
                get(gate, "/users/u1", 0);
            }
            get(gate, "/users/u2", 0);
            for (int i = 0; i < 5; i++) { // shadow, 2 per second: 2 admitted, 3 would-be denials, nothing denied
                assertTrue(get(gate, "/orders/o1", 0));
            }
            assertEquals(11, count(registry, PolicyGateMetrics.ADMITTED, "users"));
            assertEquals(2, count(registry, PolicyGateMetrics.DENIED, "users"));
            assertEquals(0, count(registry, PolicyGateMetrics.SHADOW_DENIED, "users"));
            assertEquals(2, count(registry, PolicyGateMetrics.NEAR_LIMIT, "users"));
            assertEquals(2, count(registry, PolicyGateMetrics.ADMITTED, "orders"));
            assertEquals(0, count(registry, PolicyGateMetrics.DENIED, "orders"));
            assertEquals(3, count(registry, PolicyGateMetrics.SHADOW_DENIED, "orders"));
            assertEquals(1, count(registry, PolicyGateMetrics.NEAR_LIMIT, "orders")); // at most 2 / 10 = 0 left: the 2nd
            assertEquals(2, gauge(registry, PolicyGateMetrics.KEYS, "users"));
            assertEquals(1, gauge(registry, PolicyGateMetrics.KEYS, "orders"));
            assertEquals(64, gauge(registry, PolicyGateMetrics.CAPACITY, "users"));
        }
        assertTrue(registry.getMeters().isEmpty(), "closing the binding removes its meters: " + registry.getMeters());
    }

    @Test
    void evictionsCountTheIdleKeysThatLeftTheRulesTable() {
        Policy policy = Policy.named("api").rule(rule("users", 10, "/users/{id}", false)).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ManualClock clock = new ManualClock();
        try (PolicyGate gate = PolicyGate.builder(policy).clock(clock).defaultCapacity(64).build();
             PolicyGateMetrics metrics = new PolicyGateMetrics(gate)) {
            metrics.bindTo(registry);
            for (int i = 0; i < 40; i++) {
                assertTrue(get(gate, "/users/u" + i, clock.nanoTime()));
            }
            assertEquals(0, count(registry, PolicyGateMetrics.EVICTIONS, "users"));
            clock.advance(Duration.ofMillis(500));               // still inside the window: nothing has decayed
            ((OffHeapEngine) gate.engine()).eviction().evictNow();
            assertEquals(0, count(registry, PolicyGateMetrics.EVICTIONS, "users"));
            assertTrue(get(gate, "/users/u0", clock.nanoTime()));
            clock.advance(Duration.ofSeconds(2));                // every window is over: the 40 keys decayed
            ((OffHeapEngine) gate.engine()).eviction().evictNow();
            assertEquals(40, count(registry, PolicyGateMetrics.EVICTIONS, "users"));
            assertEquals(0, gauge(registry, PolicyGateMetrics.KEYS, "users"));
        }
    }

    @Test
    void aSwapKeepsMetersOfKeptRulesAndReplacesTheOthers() {
        Policy before = Policy.named("api").rule(rule("users", 10, "/users/{id}", false))
                .rule(rule("orders", 2, "/orders/{id}", false)).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PolicyGate gate = PolicyGate.builder(before).clock(new ManualClock()).defaultCapacity(64).build();
             PolicyGateMetrics metrics = new PolicyGateMetrics(gate)) {
            metrics.bindTo(registry);
            get(gate, "/users/u1", 0);
            get(gate, "/orders/o1", 0);
            gate.swap(Policy.named("api").version("2").rule(rule("users", 10, "/users/{id}", false))
                    .rule(rule("invoices", 1, "/invoices/{id}", false)).build());
            get(gate, "/users/u1", 0);
            assertTrue(get(gate, "/invoices/i1", 0));
            assertEquals(2, count(registry, PolicyGateMetrics.ADMITTED, "users"), "counts continue across the swap");
            assertEquals(1, count(registry, PolicyGateMetrics.ADMITTED, "invoices"));
            assertEquals(1, gauge(registry, PolicyGateMetrics.KEYS, "users"), "the kept rule kept its table");
            assertEquals(1, gauge(registry, PolicyGateMetrics.KEYS, "invoices"));
            assertNull(registry.find(PolicyGateMetrics.ADMITTED).tag("rule", "orders").functionCounter(),
                    "a removed rule's meters are gone");
            assertEquals(14 + 5, registry.getMeters().size(), "seven meters for each of the two rules, five for the gate");
        }
    }

    @Test
    void timerMetersReportPendingTimersReclaimedLeasesAndLateness() {
        Rule streams = Rule.named("streams").route("GET", "/streams/{id}").key(KeyPart.pathVariable("id"))
                .limit(Limit.concurrency("streams", 2, Duration.ofSeconds(1)).build()).source("doc", "streams").build();
        ManualClock clock = new ManualClock(0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PolicyGate gate = PolicyGate.builder(Policy.named("api").rule(streams).build()).clock(clock)
                .engine(new OffHeapEngineFactory()).build();
             PolicyGateMetrics metrics = new PolicyGateMetrics(gate)) {
            metrics.bindTo(registry);
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            assertEquals(0, registry.get(PolicyGateMetrics.PENDING_TIMERS).tag("policy", "api").gauge().value());
            Lease held = ((ConcurrencyLimiter) gate.limiter("streams")).tryLease("s1", 1, 0, null);   // never closed: reclaimed at 1 s
            Lease closed = ((ConcurrencyLimiter) gate.limiter("streams")).tryLease("s2", 1, 0, null);
            assertEquals(2, registry.get(PolicyGateMetrics.PENDING_TIMERS).tag("policy", "api").gauge().value());
            closed.close();
            clock.set(Duration.ofSeconds(1).toNanos() + Duration.ofMillis(3).toNanos());
            engine.runTimers();
            assertTrue(held.wasReclaimed());
            assertEquals(0, registry.get(PolicyGateMetrics.PENDING_TIMERS).tag("policy", "api").gauge().value());
            assertEquals(1, registry.get(PolicyGateMetrics.RECLAIMED_LEASES).tag("policy", "api")
                    .functionCounter().count());
            double late = registry.get(PolicyGateMetrics.TIMER_LATENESS).tag("policy", "api")
                    .tag("percentile", "0.99").timeGauge().value(TimeUnit.NANOSECONDS);
            assertEquals(3_000_000, late, 3_000_000 * 0.01, "one timer fired 3 ms late: " + late);
        }
        assertTrue(registry.getMeters().isEmpty());
    }
}
