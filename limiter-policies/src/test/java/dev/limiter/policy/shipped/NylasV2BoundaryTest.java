package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NylasV2BoundaryTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;

    private void open(Engines engine) {
        gate = engine.gate(NylasV2.policy(), clock);
    }

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static RequestView call(String app, String token, String method, String path) {
        return Request.of(method, path).attribute(Attributes.APPLICATION, app)
                .header("Authorization", "Basic " + token).build();
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-application")
    void applicationLimitIs500PerEndpointPerSecond(Engines engine) {
        open(engine);
        Engines.requireComposite(gate);
        for (int t = 0; t < 10; t++) {
            Boundary.admit(gate, clock, call("app-1", "token-" + t, "GET", "/events?limit=1"), 50);
        }
        Boundary.denied(gate, clock, call("app-1", "token-10", "GET", "/events/e-1"), "nylas2-application",
                "Too many requests from this application", 500, 1);
        assertTrue(gate.evaluate(call("app-1", "token-10", "GET", "/calendars"), clock.nanoTime()).allowed(),
                "another endpoint of the same application has its own 500");
        clock.advance(SECOND);
        assertTrue(gate.evaluate(call("app-1", "token-10", "GET", "/events"), clock.nanoTime()).allowed());
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-account")
    void accountLimitIs50PerEndpointPerSecond(Engines engine) {
        open(engine);
        Engines.requireComposite(gate);
        Boundary.windowBoundary(gate, clock, call("app-1", "token-a", "PUT", "/events/e-1"), 50, "nylas2-account",
                "Too many requests", SECOND);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    void aDenialByEitherRuleConsumesNothingInTheOther(Engines engine) {
        open(engine);
        Engines.requireComposite(gate);
        // The account denies its 51st request: the application's count must stay at 50.
        Boundary.admit(gate, clock, call("app-1", "token-a", "GET", "/events"), 50);
        for (int i = 0; i < 3; i++) {
            Verdict v = gate.evaluate(call("app-1", "token-a", "GET", "/events"), clock.nanoTime());
            assertEquals("nylas2-account", v.rule().name());
        }
        for (int t = 1; t < 10; t++) {
            Boundary.admit(gate, clock, call("app-1", "token-" + t, "GET", "/events"), 50);
        }
        Verdict app = gate.evaluate(call("app-1", "token-10", "GET", "/events"), clock.nanoTime());
        assertEquals("nylas2-application", app.rule().name(), "exactly 500 admitted: the 3 denials took nothing");
        // The application denies token-10's request: token-10's account must still have all 50.
        for (int i = 0; i < 3; i++) {
            assertFalse(gate.evaluate(call("app-1", "token-10", "GET", "/events"), clock.nanoTime()).allowed());
        }
        Boundary.admit(gate, clock, call("app-2", "token-10", "GET", "/events"), 50);
        assertEquals("nylas2-account",
                gate.evaluate(call("app-2", "token-10", "GET", "/events"), clock.nanoTime()).rule().name());
    }

    private void concurrency(String rule, String path, int n, String message) {
        Engines.requireComposite(gate);
        List<Verdict> held = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Verdict v = gate.evaluate(call("app-1", "token-a", "GET", path), clock.nanoTime());
            assertTrue(v.allowed(), "in-flight request " + i + " of " + n);
            assertTrue(v.holdsPermits());
            held.add(v);
        }
        Verdict denied = Boundary.denied(gate, clock, call("app-1", "token-a", "GET", path), rule, message, n, -1);
        assertTrue(denied.headers().get("RateLimit-Policy").contains("\"" + rule + "\";q=" + n
                + ";qu=\"concurrent-requests\""));
        assertTrue(gate.evaluate(call("app-1", "token-b", "GET", path), clock.nanoTime()).allowed(),
                "another account has its own permits");
        held.get(3).complete();
        held.get(3).complete(); // idempotent: frees one permit, not two
        Verdict again = gate.evaluate(call("app-1", "token-a", "GET", path), clock.nanoTime());
        assertTrue(again.allowed(), "admitted after a release");
        assertFalse(gate.evaluate(call("app-1", "token-a", "GET", path), clock.nanoTime()).allowed(),
                "a second completion must not have freed a second permit");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-delta-streaming")
    void tenConcurrentDeltaStreams(Engines engine) {
        open(engine);
        concurrency("nylas2-delta-streaming", "/delta/streaming?cursor=c1", 10, "Too many concurrent streaming requests");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-delta-longpoll")
    void tenConcurrentDeltaLongPolls(Engines engine) {
        open(engine);
        concurrency("nylas2-delta-longpoll", "/delta/longpoll", 10, "Too many concurrent streaming requests");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-query")
    void fiveConcurrentQueries(Engines engine) {
        open(engine);
        concurrency("nylas2-query", "/messages?in=inbox", 5, "Too many concurrent query requests");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    void queriesShareFivePermitsAcrossMessagesThreadsAndContacts(Engines engine) {
        open(engine);
        Engines.requireComposite(gate);
        for (String path : new String[] {"/messages", "/threads", "/contacts", "/messages", "/threads"}) {
            assertTrue(gate.evaluate(call("app-1", "token-a", "GET", path), clock.nanoTime()).allowed());
        }
        assertEquals("nylas2-query",
                gate.evaluate(call("app-1", "token-a", "GET", "/contacts"), clock.nanoTime()).rule().name());
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas2-ip-addresses")
    void ipAddressesTenPerHour(Engines engine) {
        open(engine);
        RequestView r = Request.of("GET", "/a/client-1/ip_addresses").header("Authorization", "Basic secret").build();
        Boundary.windowBoundary(gate, clock, r, 10, "nylas2-ip-addresses", "Too many requests", 3_600 * SECOND);
        Verdict v = gate.evaluate(Request.of("GET", "/a/client-2/ip_addresses").build(), clock.nanoTime());
        assertTrue(v.allowed(), "another client id");
        assertEquals(1, v.ruleCount(), "only the IP-address rule applies to this endpoint");
    }
}
