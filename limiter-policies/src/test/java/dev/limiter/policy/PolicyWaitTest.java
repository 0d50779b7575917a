package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.Outcome;
import dev.limiter.engine.OffHeapEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests that wait under a gate (Rule.maxWait), on a ManualClock: when they complete, what they take, what they count. */
class PolicyWaitTest {
    private static final long MS = 1_000_000L;

    /** @return the verdict of a future that must be done already (a test never blocks on one) */
    private static Verdict done(CompletableFuture<Verdict> f) {
        assertTrue(f.isDone(), "not decided yet");
        return f.join();
    }

    private static Policy policy() {
        return Policy.named("api")
                .rule(Rule.named("users").route("GET", "/users/{id}").key(KeyPart.pathVariable("id"))
                        .limit(Limit.tokenBucket("users", 2, Duration.ofSeconds(1)).build())
                        .maxWait(Duration.ofMillis(600)).source("doc", "users").build())
                .rule(Rule.named("slow").route("GET", "/slow/{id}").key(KeyPart.pathVariable("id"))
                        .limit(Limit.tokenBucket("slow", 1, Duration.ofSeconds(10)).build())
                        .maxWait(Duration.ofMillis(600)).source("doc", "slow").build())
                .rule(Rule.named("all").route("*", "/**").key(KeyPart.shared("all"))
                        .limit(Limit.fixedWindow("all", 5, Duration.ofSeconds(10)).build()).source("doc", "all").build())
                .build();
    }

    @Test
    void aDeniedRequestWaitsForItsRuleAndTakesEveryRulesPermitsWhenItCompletes() {
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(policy()).clock(clock).build()) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            for (int i = 0; i < 2; i++) {
                Verdict v = done(gate.evaluateAsync(Request.of("GET", "/users/u1").build()));
                assertTrue(v.allowed());
                v.complete();
            }
            CompletableFuture<Verdict> waited = gate.evaluateAsync(Request.of("GET", "/users/u1").build());
            assertFalse(waited.isDone(), "a denial within the rule's wait was answered at once");
            assertEquals(0, gate.counters("users").denied(), "a waiting request is counted when it ends");
            clock.set(500 * MS - 1);
            engine.runTimers();
            assertFalse(waited.isDone(), "completed before the bucket allowed it");
            clock.set(500 * MS + engine.timerTickNanos());
            engine.runTimers();
            assertTrue(waited.isDone(), "not completed one tick after the bucket allowed it; timers pending: "
                    + engine.pendingTimers());
            Verdict v = done(waited);
            assertTrue(v.allowed());
            assertEquals("users", v.rule().name());
            assertEquals(2, v.ruleCount());
            v.complete();
            assertEquals(3, gate.counters("users").admitted());
            assertEquals(3, gate.counters("all").admitted(), "the waited request took the other rule's permit too");

            CompletableFuture<Verdict> fourth = gate.evaluateAsync(Request.of("GET", "/users/u1").build());
            assertFalse(fourth.isDone(), "the next permit, about 500 ms away, is within the wait");
            done(gate.evaluateAsync(Request.of("GET", "/slow/s1").build())).complete();
            Verdict tooLong = done(gate.evaluateAsync(Request.of("GET", "/slow/s1").build()));
            assertEquals(Outcome.LIMITED, tooLong.outcome(), "waited although the retry-after exceeds the rule's wait");
            assertEquals("slow", tooLong.rule().name());
            assertEquals("10", tooLong.headers().get("Retry-After"));
            tooLong.complete();
            assertEquals(1, gate.counters("slow").denied());
            clock.set(1_000 * MS + engine.timerTickNanos());
            engine.runTimers();
            Verdict v4 = done(fourth);
            assertTrue(v4.allowed());
            v4.complete();
        }
    }

    @Test
    void aRuleWithoutAWaitAnswersAtOnceAndACancelledWaitTakesNothing() {
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(policy()).clock(clock).build()) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            for (int i = 0; i < 5; i++) {
                done(gate.evaluateAsync(Request.of("GET", "/users/u" + i).build())).complete();
            }
            Verdict byAll = done(gate.evaluateAsync(Request.of("GET", "/users/u9").build()));
            assertEquals("all", byAll.rule().name(), "the shared rule has no wait: answered at once");
            byAll.complete();

            clock.set(Duration.ofSeconds(10).toNanos());  // a new window for "all"
            done(gate.evaluateAsync(Request.of("GET", "/users/u0").build())).complete();
            done(gate.evaluateAsync(Request.of("GET", "/users/u0").build())).complete();
            CompletableFuture<Verdict> waited = gate.evaluateAsync(Request.of("GET", "/users/u0").build());
            assertFalse(waited.isDone());
            assertTrue(waited.cancel(false));
            clock.advance(Duration.ofSeconds(1));
            engine.runTimers();
            assertEquals(5 + 2, gate.counters("all").admitted(), "a cancelled wait was counted");
            for (String id : new String[] {"u5", "u6", "u7"}) {          // the window's last three permits
                Verdict next = done(gate.evaluateAsync(Request.of("GET", "/users/" + id).build()));
                assertTrue(next.allowed(), "the shared window lost a permit to a cancelled wait");
                next.complete();
            }
        }
    }

    /** A lone rate rule takes the evaluator's fast path (no check list); its wait must still wait for that rule. */
    @Test
    void aLoneRuleThatDeniesWaitsForItsOwnLimiter() {
        Policy lone = Policy.named("lone")
                .rule(Rule.named("users").route("GET", "/users/{id}").key(KeyPart.pathVariable("id"))
                        .limit(Limit.tokenBucket("users", 1, Duration.ofSeconds(1)).build())
                        .maxWait(Duration.ofMillis(1_500)).source("doc", "users").build())
                .build();
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(lone).clock(clock).build()) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            done(gate.evaluateAsync(Request.of("GET", "/users/u1").build())).complete();
            CompletableFuture<Verdict> waited = gate.evaluateAsync(Request.of("GET", "/users/u1").build());
            assertFalse(waited.isDone(), "a lone rule's denial within its wait was answered at once");
            clock.set(1_000 * MS - 1);
            engine.runTimers();
            assertFalse(waited.isDone(), "completed before the bucket allowed it");
            clock.set(1_000 * MS + engine.timerTickNanos());
            engine.runTimers();
            Verdict v = done(waited);
            assertTrue(v.allowed());
            assertEquals("users", v.rule().name());
            v.complete();
            assertEquals(2, gate.counters("users").admitted());
            Verdict next = done(gate.evaluateAsync(Request.of("GET", "/users/u2").build()));
            assertTrue(next.allowed(), "another key was charged by the wait");
            next.complete();
            CompletableFuture<Verdict> again = gate.evaluateAsync(Request.of("GET", "/users/u1").build());
            assertFalse(again.isDone(), "the waited grant did not take the bucket's permit");
            assertTrue(again.cancel(false));
        }
    }
}
