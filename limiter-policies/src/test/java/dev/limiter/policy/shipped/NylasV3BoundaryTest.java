package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.Map;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NylasV3BoundaryTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;

    private void open(Engines engine) {
        gate = engine.gate(NylasV3.policy(), clock);
    }

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
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

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-applications")
    void applications(Engines engine) {
        open(engine);
        perApplication("nylas3-applications", "GET", "/v3/applications");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-authentication")
    void authentication(Engines engine) {
        open(engine);
        perApplication("nylas3-authentication", "POST", "/v3/connect/token");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-connectors")
    void connectors(Engines engine) {
        open(engine);
        perApplication("nylas3-connectors", "GET", "/v3/connectors/google/creds");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-grants")
    void grants(Engines engine) {
        open(engine);
        perApplication("nylas3-grants", "GET", "/v3/grants/g-1");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-webhooks")
    void webhooks(Engines engine) {
        open(engine);
        perApplication("nylas3-webhooks", "POST", "/v3/webhooks");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-calendar")
    void calendar(Engines engine) {
        open(engine);
        perGrant("nylas3-calendar", app("GET", "/v3/grants/g-1/events?calendar_id=primary"), 200);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-contacts")
    void contacts(Engines engine) {
        open(engine);
        perGrant("nylas3-contacts", app("GET", "/v3/grants/g-1/contacts/c-9"), 200);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-email")
    void email(Engines engine) {
        open(engine);
        perGrant("nylas3-email", app("GET", "/v3/grants/g-1/messages/m-1"), 200);
        assertTrue(gate.evaluate(app("GET", "/v3/grants/g-2/messages/m-1"), clock.nanoTime()).allowed(),
                "another grant is not affected");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-send-json")
    void sendJson(Engines engine) {
        open(engine);
        perGrant("nylas3-send-json", Request.of("POST", "/v3/grants/g-1/messages/send")
                .header("Content-Type", "application/json").build(), 200);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-send-multipart")
    void sendMultipart(Engines engine) {
        open(engine);
        RequestView multipart = Request.of("POST", "/v3/grants/g-1/messages/send")
                .header("Content-Type", "multipart/form-data; boundary=xyz").build();
        perGrant("nylas3-send-multipart", multipart, 10);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas3-threads")
    void threadsListingCostsTenPermitsOfTheEmailLimit(Engines engine) {
        open(engine);
        RequestView threads = app("GET", "/v3/grants/g-1/threads?limit=5");
        long n = 200 / NylasV3.THREADS_COST;
        Boundary.admit(gate, clock, threads, n);
        Verdict v = Boundary.denied(gate, clock, threads, "nylas3-email", NylasV3.GRANT_MESSAGE, 200, 1);
        assertEquals(0, v.remaining());
        // A single message read (cost 1) is still denied: the listings used the whole grant limit.
        assertTrue(!gate.evaluate(app("GET", "/v3/grants/g-1/messages/m-1"), clock.nanoTime()).allowed());
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("nylas-429")
    void denialCarriesTheDocumented429(Engines engine) {
        open(engine);
        clock.set(250_000_000L); // a quarter into the window: the limit expires in 0.75 s, rounded up to 1
        RequestView r = app("GET", "/v3/webhooks");
        Boundary.admit(gate, clock, r, 50);
        Verdict v = gate.evaluate(r, clock.nanoTime());
        assertEquals(429, v.status());
        assertEquals("{\"message\": \"Too many requests from this application\", \"type\": \"invalid_request_error\"}",
                v.body());
        Map<String, String> h = v.headers();
        assertEquals("50", h.get("X-RateLimit-Limit"));
        assertEquals("1", h.get("X-RateLimit-Reset"), "seconds until the limit expires");
        assertEquals("1", h.get("Retry-After"));
        assertEquals("\"nylas3-webhooks\";q=50;w=1", h.get("RateLimit-Policy"));
        assertEquals("\"nylas3-webhooks\";r=0;t=1", h.get("RateLimit"));
        assertEquals(750_000_000L, v.retryAfterNanos());
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    void sendWithoutAKnownContentTypeCountsAsEmail(Engines engine) {
        open(engine);
        Verdict v = gate.evaluate(app("POST", "/v3/grants/g-1/messages/send"), 0);
        assertEquals("nylas3-email", v.rule().name());
    }

}
