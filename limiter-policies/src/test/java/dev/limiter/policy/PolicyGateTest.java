package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade: engine discovery and ownership, capacities, per-thread evaluators, bad input. */
class PolicyGateTest {
    private static final Policy ONE = Policy.named("one").rule(Rule.named("r").route("/a/{id}")
            .key(KeyPart.pathVariable("id")).limit(Limit.fixedWindow("r", 2, Duration.ofSeconds(1)).build())
            .source("doc", "row").build()).build();

    @Test
    void ofDiscoversTheOffHeapEngineAndClosesIt() {
        ManualClock clock = new ManualClock();
        PolicyGate gate = PolicyGate.of(NylasV3.policy(), clock);
        assertTrue(gate.engine() instanceof OffHeapEngine);
        assertSame(clock, gate.engine().clock());
        assertEquals(PolicyGate.DEFAULT_CAPACITY, gate.engine().limiter("nylas3-email").capacity());
        Verdict v = gate.evaluate(Request.of("GET", "/v3/grants/g/messages").build());
        assertTrue(v.allowed());
        assertEquals("nylas3-email", v.rule().name());
        gate.close();
        assertTrue(gate.engine().isClosed());
        assertThrows(IllegalStateException.class, () -> gate.evaluate(Request.of("GET", "/v3/grants/g/messages")
                .build()));
    }

    @Test
    void capacitiesAndFactoryAreHonoured() {
        AtomicReference<Object> seen = new AtomicReference<>();
        try (PolicyGate gate = PolicyGate.builder(ONE).clock(new ManualClock()).capacity("r", 7)
                .engine((clock, caps, whenFull) -> {
                    seen.set(caps);
                    OffHeapEngine.Builder b = OffHeapEngine.builder().clock(clock).whenFull(whenFull);
                    caps.forEach(b::limit);
                    return b.build();
                }).build()) {
            assertEquals(java.util.Map.of(ONE.rule("r").limit(), 7L), seen.get());
            assertEquals(7, gate.engine().limiter("r").capacity());
        }
        assertThrows(IllegalArgumentException.class, () -> PolicyGate.builder(ONE).capacity("nope", 1));
        assertThrows(IllegalArgumentException.class, () -> PolicyGate.builder(ONE).defaultCapacity(0));
    }

    @Test
    void aFullTableDeniesByDefaultInsteadOfThrowing() {
        try (PolicyGate gate = PolicyGate.builder(ONE).clock(new ManualClock()).defaultCapacity(1).build()) {
            int denied = 0;
            for (int i = 0; i < 200; i++) {
                Verdict v = gate.evaluate(Request.of("GET", "/a/key-" + i).build(), 0);
                denied += v.allowed() ? 0 : 1;
                if (!v.allowed()) {
                    assertEquals(dev.limiter.Outcome.TABLE_FULL_DENIED, v.outcome());
                    assertEquals(429, v.status());
                }
            }
            assertTrue(denied > 0, "the table holds few keys, so new keys are denied");
        }
    }

    @Test
    void anExistingEngineIsUsedButNotClosedAndMustMatch() {
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(new ManualClock())
                .limit(ONE.rule("r").limit(), 16).build()) {
            PolicyGate gate = PolicyGate.builder(ONE).engine(engine).build();
            gate.close();
            assertFalse(engine.isClosed());
        }
        try (OffHeapEngine other = OffHeapEngine.builder()
                .limit(Limit.fixedWindow("r", 3, Duration.ofSeconds(1)).build(), 16).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PolicyGate.builder(ONE).engine(other).build());
            assertTrue(e.getMessage().contains("rule 'r' needs"), e.getMessage());
        }
    }

    @Test
    void eachThreadHasItsOwnEvaluatorAndVerdict() throws Exception {
        try (PolicyGate gate = PolicyGate.of(ONE, new ManualClock())) {
            Verdict mine = gate.evaluate(Request.of("GET", "/a/1").build(), 0);
            AtomicReference<Verdict> theirs = new AtomicReference<>();
            Thread t = new Thread(() -> theirs.set(gate.evaluate(Request.of("GET", "/a/1").build(), 0)));
            t.start();
            t.join();
            assertNotSame(mine, theirs.get());
            assertTrue(mine.allowed());
            assertFalse(mine.holdsPermits());
            Verdict third = gate.evaluate(Request.of("GET", "/a/1").build(), 0);
            assertNotSame(mine, third, "a verdict not yet completed is never reused");
            assertTrue(mine.allowed(), "and so never changes under its owner");
            assertFalse(third.allowed(), "three requests for a limit of two, across threads");
            mine.complete();
            IllegalStateException late = assertThrows(IllegalStateException.class, mine::allowed);
            assertTrue(late.getMessage().contains("completed"), late.getMessage());
            third.complete();
            assertSame(third, gate.evaluate(Request.of("GET", "/a/1").build(), 0), "reused once completed");
            PolicyEvaluator own = gate.newEvaluator();
            assertNotSame(mine, own.evaluate(Request.of("GET", "/a/2").build(), 0));
        }
    }

    @Test
    void aClosedGateRefusesEveryRequestAlike() {
        PolicyGate gate = PolicyGate.of(NylasV3.policy(), new ManualClock());
        gate.close();
        assertTrue(gate.isClosed());
        for (String path : new String[] {"/v3/grants/g/messages", "/unmatched", "not a path"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> gate.evaluate(Request.of("GET", path).build(), 0), path);
            assertEquals("the policy gate for 'nylas-v3' is closed", e.getMessage());
        }
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(new ManualClock())
                .limit(ONE.rule("r").limit(), 16).build()) {
            PolicyGate onShared = PolicyGate.builder(ONE).engine(engine).build();
            onShared.close();
            assertFalse(engine.isClosed(), "an engine the gate was given stays open");
            assertThrows(IllegalStateException.class, () -> onShared.evaluate(Request.of("GET", "/b").build(), 0),
                    "but the closed gate refuses even an unmatched path");
        }
    }

    @Test
    void badOverrideRequestsAreRefusedWithoutChangingState() {
        try (PolicyGate gate = PolicyGate.of(ONE, new ManualClock())) {
            assertThrows(IllegalArgumentException.class, () -> gate.lift("nope", "x"));
            IllegalArgumentException raisable = assertThrows(IllegalArgumentException.class, () -> gate.lift("r", "1"));
            assertTrue(raisable.getMessage().contains("only LIFTED_WHEN_VERIFIED rules can be lifted"));
            assertThrows(IllegalArgumentException.class, () -> gate.raise("r", 5, "1", "2"),
                    "two key values for a one-part key");
            assertTrue(gate.evaluate(Request.of("GET", "/a/1").build(), 0).allowed());
        }
    }
}
