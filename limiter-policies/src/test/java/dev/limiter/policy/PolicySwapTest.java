package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a swap keeps and what it starts afresh; leases held across a swap; shadow flags in the models. */
class PolicySwapTest {
    private static Rule streams(long permits) {
        return Rule.named("streams").route("GET", "/s/{id}").key(KeyPart.pathVariable("id"))
                .limit(Limit.concurrency("streams", permits, Duration.ofMinutes(1)).build()).source("doc", "streams").build();
    }

    private static Rule calls(long permits, boolean shadow) {
        return Rule.named("calls").route("GET", "/s/{id}").route("GET", "/c/{id}").key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow("calls", permits, Duration.ofSeconds(1)).build()).source("doc", "calls")
                .shadow(shadow).build();
    }

    private static Verdict get(PolicyGate gate, String path) {
        return gate.evaluate(Request.of("GET", path).build(), 0);
    }

    private static boolean allowed(PolicyGate gate, String path) {
        Verdict v = get(gate, path);
        boolean ok = v.allowed();
        v.complete();
        return ok;
    }

    @Test
    void aLeaseHeldAcrossASwapReturnsToTheKeptLimiter() {
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(streams(1)).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            Limiter before = gate.limiter("streams");
            Verdict held = get(gate, "/s/a");
            assertTrue(held.allowed() && held.holdsPermits());
            gate.swap(Policy.named("p").version("2").rule(streams(1)).rule(calls(100, false)).build());
            assertSame(before, gate.limiter("streams"), "an unchanged rule keeps its limiter");
            assertFalse(allowed(gate, "/s/a"), "the lease taken before the swap still counts");
            held.complete();
            assertTrue(allowed(gate, "/s/a"), "completing the old verdict returned its lease to the kept limiter");
        }
    }

    @Test
    void aChangedRuleStartsFreshAndAnOldLeaseReturnsToItsOwnEngine() {
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(streams(1)).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            Limiter before = gate.limiter("streams");
            Verdict held = get(gate, "/s/a");
            assertTrue(held.allowed());
            gate.swap(Policy.named("p").version("2").rule(streams(2)).build());
            assertNotSame(before, gate.limiter("streams"));
            Verdict one = get(gate, "/s/a");
            Verdict two = get(gate, "/s/a");
            assertTrue(one.allowed() && two.allowed(), "the changed rule starts with no lease held");
            assertFalse(allowed(gate, "/s/a"));
            held.complete(); // into the first engine, which the gate still owns
            assertFalse(allowed(gate, "/s/a"), "an old lease is never returned into the new limiter");
            one.complete();
            two.complete();
            assertEquals(1, gate.closeRetired(), "the first engine is no longer used");
            assertTrue(gate.engine().isClosed());
            assertFalse(gate.isClosed());
            assertTrue(allowed(gate, "/s/a"));
        }
    }

    @Test
    void aRequestSpanningKeptAndFreshRulesNeedsBoth() {
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(calls(2, false)).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            assertTrue(allowed(gate, "/c/a"));
            gate.swap(Policy.named("p").version("2").rule(calls(2, false)).rule(streams(5)).build());
            Verdict v = get(gate, "/s/a"); // calls (kept, first engine) and streams (fresh, second engine)
            assertTrue(v.allowed() && v.holdsPermits());
            assertEquals(2, v.ruleCount());
            v.complete();
            assertFalse(allowed(gate, "/s/a"), "calls kept its count: 2 of 2 used");
            assertEquals(1, gate.counters("calls").denied());
            assertEquals(2, gate.counters("calls").admitted());
        }
    }

    @Test
    void turningAShadowRuleOnKeepsWhatItCounted() {
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(calls(2, true)).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            for (int i = 0; i < 3; i++) {
                Verdict v = get(gate, "/c/a");
                assertTrue(v.allowed(), "shadow never denies");
                assertEquals(i == 2, v.shadowDenied());
                assertEquals(i == 2 ? "calls" : null, v.shadowHeaderValue());
                v.complete();
            }
            assertEquals(1, gate.counters("calls").shadowDenied());
            gate.swap(Policy.named("p").version("2").rule(calls(2, false)).build());
            Verdict v = get(gate, "/c/a");
            assertFalse(v.allowed(), "enforcing now, with the shadow rule's counts");
            assertEquals("calls", v.rule().name());
            v.complete();
            assertEquals(1, gate.counters("calls").denied());
        }
    }

    @Test
    void aWholeShadowPolicyNeverDenies() {
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").shadow(true).rule(calls(1, false)).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            assertTrue(allowed(gate, "/c/a"));
            Verdict v = get(gate, "/c/a");
            assertTrue(v.allowed());
            assertTrue(v.shadowDenied());
            assertEquals("calls", v.shadowDeniedRule(0).name());
            v.complete();
        }
    }

    @Test
    void aShadowConcurrencyRuleHoldsItsLeaseUntilTheVerdictCompletes() {
        Rule shadowStreams = streams(1).toBuilder().shadow(true).build();
        try (PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(shadowStreams).build())
                .clock(new ManualClock()).defaultCapacity(16).build()) {
            Verdict first = get(gate, "/s/a");
            assertTrue(first.allowed() && first.holdsPermits() && !first.shadowDenied());
            Verdict second = get(gate, "/s/a");
            assertTrue(second.allowed() && second.shadowDenied() && !second.holdsPermits());
            second.complete();
            first.complete();
            Verdict third = get(gate, "/s/a");
            assertFalse(third.shadowDenied(), "completing the first verdict returned its shadow lease");
            third.complete();
            assertEquals(2, gate.counters("streams").admitted());
            assertEquals(1, gate.counters("streams").shadowDenied());
        }
    }

    @Test
    void shadowFlagsAreInTheModels() {
        assertNotEquals(calls(2, true), calls(2, false));
        assertNotEquals(calls(2, true).hashCode(), calls(2, false).hashCode());
        assertEquals(calls(2, true), calls(2, false).toBuilder().shadow(true).build());
        assertTrue(calls(2, true).toBuilder().build().shadow());
        Policy p = Policy.named("p").rule(calls(2, false)).build();
        Policy s = p.toBuilder().shadow(true).build();
        assertNotEquals(p, s);
        assertTrue(s.shadow() && s.toBuilder().build().shadow());
        assertTrue(s.shadows(s.rules().get(0)));
        assertFalse(p.shadows(p.rules().get(0)));
    }

    @Test
    void aClosedGateRefusesToSwap() {
        PolicyGate gate = PolicyGate.builder(Policy.named("p").rule(calls(2, false)).build())
                .clock(new ManualClock()).defaultCapacity(16).build();
        gate.close();
        assertThrows(IllegalStateException.class, () -> gate.swap(Policy.named("p").rule(calls(3, false)).build()));
    }
}
