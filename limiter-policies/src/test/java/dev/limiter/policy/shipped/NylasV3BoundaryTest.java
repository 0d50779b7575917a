package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NylasV3BoundaryTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private final PolicyGate gate = Boundary.gate(NylasV3.policy(), clock);

    @AfterEach
    void close() {
        gate.close();
    }

    private static RequestView app(String method, String path) {
        return Request.of(method, path).header("Authorization", "Bearer key-1").build();
    }

    private void perApplication(String rule, String method, String path) {
        Boundary.windowBoundary(gate, clock, app(method, path), 50, rule, NylasV3.APPLICATION_MESSAGE, SECOND);
        // Another application is not affected.
        assertTrue(gate.evaluate(Request.of(method, path).header("Authorization", "Bearer key-2").build(),
                clock.nanoTime()).allowed());
    }

    private void perGrant(String rule, RequestView r, long n) {
        Boundary.windowBoundary(gate, clock, r, n, rule, NylasV3.GRANT_MESSAGE, SECOND);
    }

    @Test
    @CoversRow("nylas3-applications")
    void applications() {
        perApplication("nylas3-applications", "GET", "/v3/applications");
    }

    @Test
    @CoversRow("nylas3-authentication")
    void authentication() {
        perApplication("nylas3-authentication", "POST", "/v3/connect/token");
    }

    @Test
    @CoversRow("nylas3-connectors")
    void connectors() {
        perApplication("nylas3-connectors", "GET", "/v3/connectors/google/creds");
    }

    @Test
    @CoversRow("nylas3-grants")
    void grants() {
        perApplication("nylas3-grants", "GET", "/v3/grants/g-1");
    }

    @Test
    @CoversRow("nylas3-webhooks")
    void webhooks() {
        perApplication("nylas3-webhooks", "POST", "/v3/webhooks");
    }

    @Test
    @CoversRow("nylas3-calendar")
    void calendar() {
        perGrant("nylas3-calendar", app("GET", "/v3/grants/g-1/events?calendar_id=primary"), 200);
    }

    @Test
    @CoversRow("nylas3-contacts")
    void contacts() {
        perGrant("nylas3-contacts", app("GET", "/v3/grants/g-1/contacts/c-9"), 200);
    }

    @Test
    @CoversRow("nylas3-email")
    void email() {
        perGrant("nylas3-email", app("GET", "/v3/grants/g-1/messages/m-1"), 200);
        assertTrue(gate.evaluate(app("GET", "/v3/grants/g-2/messages/m-1"), clock.nanoTime()).allowed(),
                "another grant is not affected");
    }

    @Test
    @CoversRow("nylas3-send-json")
    void sendJson() {
        perGrant("nylas3-send-json", Request.of("POST", "/v3/grants/g-1/messages/send")
                .header("Content-Type", "application/json").build(), 200);
    }

    @Test
    @CoversRow("nylas3-send-multipart")
    void sendMultipart() {
        RequestView multipart = Request.of("POST", "/v3/grants/g-1/messages/send")
                .header("Content-Type", "multipart/form-data; boundary=xyz").build();
        perGrant("nylas3-send-multipart", multipart, 10);
    }

    @Test
    @CoversRow("nylas3-threads")
    void threadsListingCostsTenPermitsOfTheEmailLimit() {
        RequestView threads = app("GET", "/v3/grants/g-1/threads?limit=5");
        long n = 200 / NylasV3.THREADS_COST;
        Boundary.admit(gate, clock, threads, n);
        Verdict v = Boundary.denied(gate, clock, threads, "nylas3-email", NylasV3.GRANT_MESSAGE, 200, 1);
        assertEquals(0, v.remaining());
        // A single message read (cost 1) is still denied: the listings used the whole grant limit.
        assertTrue(!gate.evaluate(app("GET", "/v3/grants/g-1/messages/m-1"), clock.nanoTime()).allowed());
    }

    @Test
    void sendWithoutAKnownContentTypeCountsAsEmail() {
        Verdict v = gate.evaluate(app("POST", "/v3/grants/g-1/messages/send"), 0);
        assertEquals("nylas3-email", v.rule().name());
    }

    @Test
    void unknownEndpointsAreNotLimited() {
        Verdict v = gate.evaluate(app("GET", "/v3/unknown"), 0);
        assertTrue(v.allowed());
        assertEquals(0, v.ruleCount());
        assertEquals(null, v.rule());
    }
}
