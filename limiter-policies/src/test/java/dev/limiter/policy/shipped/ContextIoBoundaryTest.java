package dev.limiter.policy.shipped;

import dev.limiter.FixedLimitException;
import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextIoBoundaryTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String FOLDER = "/lite/users/%s/email_accounts/acc/folders/INBOX/messages";
    private static final String[][] IMAP = {
        {"GET", ""}, {"GET", "/m1"}, {"POST", "/m1"}, {"GET", "/m1/attachments"}, {"GET", "/m1/attachments/a1"},
        {"GET", "/m1/body"}, {"GET", "/m1/flags"}, {"GET", "/m1/headers"}, {"GET", "/m1/raw"}, {"GET", "/m1/read"},
        {"POST", "/m1/read"},
    };
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static RequestView call(String method, String path) {
        return Request.of(method, path).attribute(Attributes.APPLICATION, "dev-1").build();
    }

    private static RequestView imap(int i, String user) {
        String[] e = IMAP[i % IMAP.length];
        return call(e[0], String.format(FOLDER, user) + e[1]);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio-api")
    void fiveThousandCallsPerHourAndWebhooksDoNotCount(Engines engine) {
        gate = engine.gate(ContextIoLite.policy(), clock);
        RequestView webhook = Request.of("POST", "/lite/users/u1/webhooks/w1").attribute(Attributes.APPLICATION, "dev-1")
                .attribute(Attributes.KIND, Attributes.RECEIVED_WEBHOOK).build();
        for (int i = 0; i < 6_000; i++) {
            Verdict v = gate.evaluate(webhook, clock.nanoTime());
            assertTrue(v.allowed());
            assertEquals(0, v.ruleCount(), "a received webhook is exempt");
        }
        Boundary.windowBoundary(gate, clock, call("GET", "/lite/users/u1/email_accounts"), 5_000, "cio-api",
                "Rate limit on overall calls to the API reached: 5,000 calls per hour", 3_600 * SECOND);
        // Raisable: the developer gets 5,001 this hour, keeping what it used.
        RequestView r = call("GET", "/lite/users/u1/email_accounts");
        Boundary.admit(gate, clock, r, 4_999); // the boundary check above used one in this hour
        assertFalse(gate.evaluate(r, clock.nanoTime()).allowed());
        gate.raise("cio-api", 5_001, "dev-1");
        assertTrue(gate.evaluate(r, clock.nanoTime()).allowed(), "the raise grants one more");
        Verdict again = gate.evaluate(r, clock.nanoTime());
        assertFalse(again.allowed());
        assertEquals("5001", again.headers().get("X-RateLimit-Limit"), "the key's own limit is advertised");
        assertTrue(gate.clearRaise("cio-api", "dev-1"));
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio-imap")
    void twoHundredFortyImapCallsPerUserPerMinuteOnTheElevenEndpoints(Engines engine) {
        gate = Engines.requireComposite(engine.gate(ContextIoLite.policy(), clock));
        for (int i = 0; i < 240; i++) {
            Verdict v = gate.evaluate(imap(i, "u1"), clock.nanoTime());
            assertTrue(v.allowed(), "IMAP call " + (i + 1));
            assertEquals(3, v.ruleCount(), "an IMAP call is also an API call and a use of the user");
        }
        for (int i = 0; i < IMAP.length; i++) {
            Verdict v = Boundary.denied(gate, clock, imap(i, "u1"), "cio-imap",
                    "Rate limit on calls to IMAP reached: 240 calls per user per minute", 240, 60);
            assertEquals("60", v.headers().get("Retry-After"));
        }
        assertTrue(gate.evaluate(call("GET", "/lite/users/u1/email_accounts"), clock.nanoTime()).allowed(),
                "a non-IMAP call of the same user");
        assertTrue(gate.evaluate(imap(0, "u2"), clock.nanoTime()).allowed(), "another user");
        FixedLimitException fixed = assertThrows(FixedLimitException.class, () -> gate.raise("cio-imap", 1_000, "u1"));
        assertTrue(fixed.getMessage().contains("cannot be raised or lifted"), fixed.getMessage());
        assertFalse(gate.policy().rule("cio-imap").limit().overridable());
        clock.advance(60 * SECOND);
        assertTrue(gate.evaluate(imap(0, "u1"), clock.nanoTime()).allowed(), "the next minute");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio-users")
    void oneHundredUsersUntilVerifiedThenLifted(Engines engine) {
        gate = engine.gate(ContextIoLite.policy(), clock);
        for (int u = 0; u < 100; u++) {
            Verdict v = gate.evaluate(call("GET", "/lite/users/u" + u), clock.nanoTime());
            assertTrue(v.allowed(), "user " + (u + 1));
        }
        Verdict v = Boundary.denied(gate, clock, call("GET", "/lite/users/u100/email_accounts"), "cio-users",
                "Initial user limit reached: 100 users until the privacy policy is verified", 100, -1);
        assertEquals(null, v.headers().get("Retry-After"), "time does not help: retrying never succeeds");
        assertTrue(gate.evaluate(call("GET", "/lite/users/u7/email_accounts"), clock.nanoTime()).allowed(),
                "a user already admitted keeps working");
        assertTrue(gate.evaluate(Request.of("GET", "/lite/users/u100").attribute(Attributes.APPLICATION, "dev-2")
                .build(), clock.nanoTime()).allowed(), "another developer has its own 100");
        clock.advance(3_600 * SECOND);
        assertFalse(gate.evaluate(call("GET", "/lite/users/u100"), clock.nanoTime()).allowed(), "not a window");
        gate.lift("cio-users", "dev-1");
        Verdict lifted = gate.evaluate(call("GET", "/lite/users/u100"), clock.nanoTime());
        assertTrue(lifted.allowed(), "lifted once verified");
        assertEquals(1, lifted.ruleCount(), "only the API call limit still counts");
        assertThrows(IllegalArgumentException.class, () -> gate.lift("cio-imap", "u1"));
        assertThrows(IllegalArgumentException.class, () -> gate.raise("cio-users", 200, "dev-1"));
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio2-endpoints")
    void everyListedTwoPointOhEndpointIsAnApiCall(Engines engine) {
        gate = Engines.requireComposite(engine.gate(ContextIo2.policy(), clock));
        String[][] listed = {
            {"GET", "/contacts/bob@example.com/messages"}, {"GET", "/messages"}, {"GET", "/messages/m1"},
            {"POST", "/messages/m1"}, {"GET", "/messages/m1/body"}, {"GET", "/messages/m1/source"},
            {"GET", "/messages/m1/flags"}, {"POST", "/messages/m1/flags"}, {"GET", "/messages/m1/headers"},
            {"GET", "/messages/m1/thread"},
        };
        for (int i = 0; i < 5_000; i++) {
            String[] e = listed[i % listed.length];
            // Spread over 50 accounts so that no account reaches its IMAP limit first.
            Verdict v = gate.evaluate(call(e[0], "/2.0/accounts/acc-" + (i / listed.length) % 50 + e[1]),
                    clock.nanoTime());
            assertTrue(v.allowed(), () -> "call " + v);
        }
        Boundary.denied(gate, clock, call("GET", "/2.0/accounts/acc-99/messages/m1/thread"), "cio2-api",
                "Rate limit on overall calls to the API reached: 5,000 calls per hour", 5_000, 3_600);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio2-imap")
    void bodySourceFlagsHeadersAndCopyMoveAreImapCalls(Engines engine) {
        gate = Engines.requireComposite(engine.gate(ContextIo2.policy(), clock));
        String[][] imap = {
            {"GET", "/body"}, {"GET", "/source"}, {"GET", "/flags"}, {"POST", "/flags"}, {"GET", "/headers"}, {"POST", ""},
        };
        for (int i = 0; i < 240; i++) {
            String[] e = imap[i % imap.length];
            Verdict v = gate.evaluate(call(e[0], "/2.0/accounts/acc-1/messages/m1" + e[1]), clock.nanoTime());
            assertTrue(v.allowed());
            assertEquals(2, v.ruleCount());
        }
        for (String[] e : imap) {
            Boundary.denied(gate, clock, call(e[0], "/2.0/accounts/acc-1/messages/m1" + e[1]), "cio2-imap",
                    "Rate limit on calls to IMAP reached: 240 calls per account per minute", 240, 60);
        }
        for (String p : new String[] {"/messages/m1", "/messages/m1/thread", "/messages"}) {
            Verdict v = gate.evaluate(call("GET", "/2.0/accounts/acc-1" + p), clock.nanoTime());
            assertTrue(v.allowed(), p + " does not open an IMAP connection");
            assertEquals(1, v.ruleCount());
        }
    }
}
