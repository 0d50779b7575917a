package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Boundary tests of the limits the source pages state but the first shipped tables missed: every
 * Nylas v3 endpoint limited, Authentication per application by {@code client_id}, {@code /me/}
 * per token, Context.IO Lite and 2.0 sharing one developer's calls, folder listings as IMAP
 * calls, and the completed Gmail and Office 365 tables.
 */
class SourcePageGapsTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static RequestView nylas(String method, String path, String authorization) {
        return Request.of(method, path).header("Authorization", authorization).build();
    }

    /** Nylas v3: "These apply to all endpoints" — a grant's unlisted endpoints share 200/s per grant. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow({"nylas3-calendar", "nylas3-contacts", "nylas3-email"})
    void everyGrantEndpointIsLimitedPerGrant(Engines engine) {
        gate = engine.gate(NylasV3.policy(), clock);
        RequestView resources = nylas("GET", "/v3/grants/g1/resources", "Bearer key-1");
        Boundary.windowBoundary(gate, clock, resources, 200, "nylas3-grant-endpoints", NylasV3.GRANT_MESSAGE, SECOND);
        assertTrue(gate.evaluate(nylas("GET", "/v3/grants/g2/resources", "Bearer key-1"), clock.nanoTime()).allowed(),
                "another grant");
        assertEquals("nylas3-email", gate.evaluate(nylas("GET", "/v3/grants/g1/messages", "Bearer key-1"),
                clock.nanoTime()).rule().name(), "a listed endpoint keeps its own rule: the catch-all steps aside");
    }

    /** Nylas v3: an endpoint outside a grant and outside the listed APIs is limited per application. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow({"nylas3-applications", "nylas3-grants"})
    void everyOtherEndpointIsLimitedPerApplication(Engines engine) {
        gate = engine.gate(NylasV3.policy(), clock);
        RequestView availability = nylas("POST", "/v3/calendars/availability", "Bearer key-1");
        Boundary.windowBoundary(gate, clock, availability, 50, "nylas3-application-endpoints",
                NylasV3.APPLICATION_MESSAGE, SECOND);
        assertTrue(gate.evaluate(nylas("POST", "/v3/calendars/availability", "bearer key-2"), clock.nanoTime())
                .allowed(), "another application");
    }

    /** Nylas v3 Authentication, 50/s per application: a hosted-auth redirect has no token but names its client_id. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-authentication")
    void authenticationWithoutATokenIsPerClientId(Engines engine) {
        gate = engine.gate(NylasV3.policy(), clock);
        RequestView a = Request.of("GET", "/v3/connect/auth?client_id=A&response_type=code").build();
        Boundary.admit(gate, clock, a, 50);
        assertTrue(gate.evaluate(Request.of("GET", "/v3/connect/auth?client_id=B").build(), clock.nanoTime())
                .allowed(), "application B has its own 50");
        Boundary.denied(gate, clock, a, "nylas3-authentication", NylasV3.APPLICATION_MESSAGE, 50, 1);
        Verdict none = gate.evaluate(Request.of("GET", "/v3/connect/auth").build(), clock.nanoTime());
        assertEquals(401, none.status(), "neither token nor client_id: refused, never pooled");
        assertTrue(none.refused());
    }

    /** Nylas v3 Email, 200/s per grant: {@code me} is the token's grant, so each token has its own 200. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-email")
    void theMeGrantIsKeyedByTheToken(Engines engine) {
        gate = engine.gate(NylasV3.policy(), clock);
        Boundary.admit(gate, clock, nylas("GET", "/v3/grants/me/messages", "Bearer token-1"), 200);
        assertTrue(gate.evaluate(nylas("GET", "/v3/grants/me/messages", "Bearer token-2"), clock.nanoTime())
                .allowed(), "another token, another grant");
        assertTrue(gate.evaluate(nylas("GET", "/v3/grants/token-1/messages", "Bearer x"), clock.nanoTime())
                .allowed(), "a grant id equal to a token's text is another bucket");
        Boundary.denied(gate, clock, nylas("GET", "/v3/grants/me/messages", "bearer  token-1"), "nylas3-email",
                NylasV3.GRANT_MESSAGE, 200, 1);
        Verdict anonymous = gate.evaluate(Request.of("GET", "/v3/grants/me/messages").build(), clock.nanoTime());
        assertEquals(401, anonymous.status());
        assertEquals(NylasV3.NO_KEY_MESSAGE, anonymous.message());
    }

    /** Context.IO: 5,000 calls an hour per developer, whether they go to Lite or to 2.0. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow({"cio-api", "cio2-endpoints"})
    void liteAndTwoPointOhShareOneDevelopersCalls(Engines engine) {
        gate = Engines.requireComposite(engine.gate(ContextIo.policy(), clock));
        for (int i = 0; i < 2_500; i++) {
            assertTrue(gate.evaluate(call("GET", "/lite/users/u" + i % 50 + "/email_accounts"), clock.nanoTime())
                    .allowed());
            assertTrue(gate.evaluate(call("GET", "/2.0/accounts/a" + i % 50 + "/messages"), clock.nanoTime())
                    .allowed());
        }
        Boundary.denied(gate, clock, call("GET", "/2.0/accounts/a1/messages"), "cio-api",
                "Rate limit on overall calls to the API reached: 5,000 calls per hour", 5_000, 3_600);
        Boundary.denied(gate, clock, call("GET", "/lite/users/u1/email_accounts"), "cio-api",
                "Rate limit on overall calls to the API reached: 5,000 calls per hour", 5_000, 3_600);
    }

    private static RequestView call(String method, String path) {
        return Request.of(method, path).attribute(Attributes.APPLICATION, "dev-1").build();
    }

    /** Context.IO: an IMAP call is any call that "gets a message body, headers, source, or folders". */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("cio-imap")
    void folderListingsAreImapCalls(Engines engine) {
        gate = Engines.requireComposite(engine.gate(ContextIoLite.policy(), clock));
        String folders = "/lite/users/u1/email_accounts/acc/folders";
        for (int i = 0; i < 240; i++) {
            Verdict v = gate.evaluate(call("GET", i % 2 == 0 ? folders : folders + "/INBOX"), clock.nanoTime());
            assertTrue(v.allowed());
            assertEquals(3, v.ruleCount(), "an API call, an IMAP call and a use of the user");
        }
        Boundary.denied(gate, clock, call("GET", folders), "cio-imap",
                "Rate limit on calls to IMAP reached: 240 calls per user per minute", 240, 60);
        Boundary.denied(gate, clock, call("GET", folders + "/INBOX/messages/m1/body"), "cio-imap",
                "Rate limit on calls to IMAP reached: 240 calls per user per minute", 240, 60);
        Verdict accounts = gate.evaluate(call("GET", "/lite/users/u1/email_accounts"), clock.nanoTime());
        assertTrue(accounts.allowed(), "listing email accounts reads no folder");
    }

    /** Gmail's per-method table: the rows the first table lacked, each at its published cost. */
    @Test
    @CoversRow("gmail-api")
    void gmailMethodsCostWhatGoogleTablePublishes() {
        Map<String, Long> costs = Map.ofEntries(
                Map.entry("DELETE /gmail/v1/users/me/drafts/d1", 10L),     // drafts.delete
                Map.entry("PUT /gmail/v1/users/me/labels/l1", 5L),         // labels.update
                Map.entry("DELETE /gmail/v1/users/me/labels/l1", 5L),      // labels.delete
                Map.entry("POST /gmail/v1/users/me/messages/m1/untrash", 5L), // messages.untrash
                Map.entry("GET /gmail/v1/users/me/threads/t1", 10L),       // threads.get
                Map.entry("GET /gmail/v1/users/me/threads", 10L),          // threads.list
                Map.entry("POST /gmail/v1/users/me/threads/t1/modify", 10L), // threads.modify
                Map.entry("POST /gmail/v1/users/me/threads/t1/trash", 10L),  // threads.trash
                Map.entry("POST /gmail/v1/users/me/threads/t1/untrash", 10L), // threads.untrash
                Map.entry("DELETE /gmail/v1/users/me/threads/t1", 20L),    // threads.delete
                Map.entry("GET /gmail/v1/users/me/messages/m1", 5L),       // messages.get
                Map.entry("POST /gmail/v1/users/me/messages/send", 100L)); // messages.send
        RouteMatcher matcher = RouteMatcher.compile(UpstreamProviders.google());
        costs.forEach((call, cost) -> {
            String[] mp = call.split(" ");
            MatchResult m = matcher.match(Request.of(mp[0], mp[1]).attribute(Attributes.USER, "u").build(),
                    matcher.newResult());
            assertEquals("gmail-api", m.rule(0).name(), call);
            assertEquals(cost, m.cost(0), call);
        });
    }

    /** Gmail, 250 units per user per second: 12 threads.delete (20 units each) fit, the 13th does not. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("gmail-api")
    void threadDeletionsExhaustTheQuotaAtTwentyUnitsEach(Engines engine) {
        gate = engine.gate(UpstreamProviders.google(), clock);
        RequestView delete = Request.of("DELETE", "/gmail/v1/users/me/threads/t1").attribute(Attributes.USER, "u").build();
        Boundary.admit(gate, clock, delete, 12);
        Verdict v = gate.evaluate(delete, clock.nanoTime());
        assertFalse(v.allowed(), "240 of 250 units used; 20 more do not fit");
        assertEquals(10, v.remaining());
        assertTrue(gate.evaluate(Request.of("PUT", "/gmail/v1/users/me/labels/l1").attribute(Attributes.USER, "u")
                .build(), clock.nanoTime()).allowed(), "labels.update costs 5, which still fits");
    }

    /** Office 365, 30 messages per user per minute: reply, replyAll and forward each send one. */
    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("office365-sending")
    void graphRepliesAndForwardsAreSends(Engines engine) {
        gate = engine.gate(UpstreamProviders.microsoft(), clock);
        String[] sends = {"/v1.0/me/messages/m1/reply", "/v1.0/me/messages/m1/replyAll", "/v1.0/me/messages/m1/forward",
            "/v1.0/users/u/messages/m1/reply", "/v1.0/users/u/messages/m1/replyAll", "/v1.0/users/u/messages/m1/forward"};
        for (int i = 0; i < 30; i++) {
            Verdict v = gate.evaluate(Request.of("POST", sends[i % sends.length]).attribute(Attributes.USER, "alice")
                    .build(), clock.nanoTime());
            assertTrue(v.allowed());
            assertEquals(2, v.ruleCount(), "a Graph request and an Office 365 message");
        }
        Verdict v = gate.evaluate(Request.of("POST", "/v1.0/me/messages/m2/forward").attribute(Attributes.USER, "alice")
                .build(), clock.nanoTime());
        assertEquals("office365-sending", v.rule().name());
        assertEquals(429, v.status());
    }
}
