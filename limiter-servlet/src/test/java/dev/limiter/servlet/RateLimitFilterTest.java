package dev.limiter.servlet;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import org.eclipse.jetty.http.UriCompliance;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter in a real Jetty 12 server, called by a real HTTP client: what passes, the 429 with
 * every header and its body, the 400/401 refusals, and the raw request target.
 */
class RateLimitFilterTest {
    /** One client per test: a pooled connection never outlives the server it was made to (ports are reused). */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static PolicyGate gate(dev.limiter.policy.Policy policy) {
        return PolicyGate.builder(policy).clock(new ManualClock()).build();
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the headers and body the twin gate renders for {@code request}, completing its verdict */
    static Map<String, String> rendered(PolicyGate twin, Request request) {
        Verdict v = twin.evaluate(request);
        try {
            return v.headers();
        } finally {
            v.complete();
        }
    }

    static void assertHeaders(Map<String, String> expected, HttpResponse<String> actual) {
        assertFalse(expected.isEmpty(), "the twin rendered headers");
        expected.forEach((name, value) -> assertEquals(java.util.List.of(value), actual.headers().allValues(name),
                name + " of " + actual.headers().map()));
    }

    private static HttpRequest.Builder multipartSend(JettyGateway gw, String target) {
        return HttpRequest.newBuilder(gw.uri(target)).header("Authorization", "Bearer k")
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofString("--b--"));
    }

    private static Request multipartSend(String target) {
        return Request.of("POST", target).header("Authorization", "Bearer k")
                .header("Content-Type", "multipart/form-data; boundary=b").build();
    }

    @Test
    void anAllowedRequestReachesTheBackendWithTheInformationalHeaders() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy()); PolicyGate twin = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/grants/g1/messages"))
                    .header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertEquals("ok", r.body());
            assertEquals(1, gw.backendCalls.get());
            Map<String, String> expected = rendered(twin, Request.of("GET", "/v3/grants/g1/messages")
                    .header("Authorization", "Bearer k").build());
            assertEquals(java.util.Set.of("RateLimit-Policy", "RateLimit"), expected.keySet());
            assertHeaders(expected, r);
            assertTrue(r.headers().firstValue("RateLimit").orElseThrow().contains(";r=199"),
                    "one of the grant's 200 used: " + r.headers().map());
            assertFalse(r.headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void theInformationalHeadersCanBeTurnedOff() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.builder(gate).informationalHeaders(false).build())) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/grants/g1/messages"))
                    .header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertFalse(r.headers().firstValue("RateLimit").isPresent(), r.headers().map().toString());
            assertFalse(r.headers().firstValue("RateLimit-Policy").isPresent(), r.headers().map().toString());
        }
    }

    @Test
    void aDeniedRequestGetsThe429WithEveryHeaderAndTheJsonBodyAndNeverReachesTheBackend() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy()); PolicyGate twin = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, send(multipartSend(gw, "/v3/grants/g1/messages/send")).statusCode(), "send " + i);
                rendered(twin, multipartSend("/v3/grants/g1/messages/send"));
            }
            HttpResponse<String> denied = send(multipartSend(gw, "/v3/grants/g1/messages/send"));
            assertEquals(429, denied.statusCode());
            assertEquals(10, gw.backendCalls.get(), "the 11th never reached the backend");
            Map<String, String> expected = rendered(twin, multipartSend("/v3/grants/g1/messages/send"));
            assertEquals(java.util.Set.of("X-RateLimit-Limit", "X-RateLimit-Reset", "Retry-After", "RateLimit-Policy",
                    "RateLimit", "Content-Type"), expected.keySet());
            assertHeaders(expected, denied);
            assertEquals("10", denied.headers().firstValue("X-RateLimit-Limit").orElseThrow());
            assertEquals("1", denied.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("1", denied.headers().firstValue("X-RateLimit-Reset").orElseThrow());
            assertEquals("\"nylas3-send-multipart\";r=0;t=1", denied.headers().firstValue("RateLimit").orElseThrow());
            assertEquals("application/json", denied.headers().firstValue("Content-Type").orElseThrow());
            String body = "{\"message\": \"" + NylasV3.policy().rule("nylas3-send-multipart").message()
                    + "\", \"type\": \"invalid_request_error\"}";
            assertEquals(body, denied.body());
            assertEquals(String.valueOf(body.length()), denied.headers().firstValue("Content-Length").orElseThrow());
            assertEquals("close", denied.headers().firstValue("Connection").orElse(null),
                    "its body was never read, so the connection is not reused");
        }
    }

    @Test
    void aMissingKeyIsRefusedWith401AndAnUnparseableRequestWith400() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            HttpResponse<String> anonymous = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")));
            assertEquals(401, anonymous.statusCode());
            assertEquals("{\"message\": \"" + NylasV3.NO_KEY_MESSAGE + "\", \"type\": \"invalid_request_error\"}",
                    anonymous.body());
            assertEquals("application/json", anonymous.headers().firstValue("Content-Type").orElseThrow());
            String longMethod = "X".repeat(33);       // a token Jetty accepts, longer than a method the gate counts
            HttpResponse<String> bad = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks"))
                    .header("Authorization", "Bearer k").method(longMethod, HttpRequest.BodyPublishers.noBody()));
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().startsWith("{\"message\": ") && bad.body().endsWith("\"type\": \"invalid_request_error\"}"),
                    "the filter answered, not the container: " + bad.body());
            assertEquals(0, gw.backendCalls.get());
        }
    }

    @Test
    void theGateReadsTheRawTargetWithItsQuery() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            // the hosted-auth redirect carries no token: the client_id query parameter is its key
            assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/v3/connect/auth?client_id=c1&x=%20"))).statusCode());
            assertEquals(401, send(HttpRequest.newBuilder(gw.uri("/v3/connect/auth?x=1"))).statusCode());
            // an escaped spelling of the same path costs the same: 10 multipart sends in all, however spelled
            for (int i = 0; i < 5; i++) {
                assertEquals(200, send(multipartSend(gw, "/v3/grants/g1/messages/send")).statusCode());
                assertEquals(200, send(multipartSend(gw, "/v3/grants/%67%31/messages/%73end")).statusCode());
            }
            assertEquals(429, send(multipartSend(gw, "/v3/grants/g1/messages/send")).statusCode());
        }
    }

    @Test
    void aTargetStartingWithTwoSlashesIsAPathNotAnAuthority() throws Exception {
        // Jetty refuses "//" by default (400, ambiguous empty segment); a server configured to accept it
        // must not hand the filter "v3" as an authority
        try (PolicyGate gate = gate(NylasV3.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate), UriCompliance.LEGACY)) {
            for (int i = 0; i < 10; i++) {
                String target = i % 2 == 0 ? "//v3/grants/g1/messages/send" : "/v3/grants/g1/messages/send";
                HttpResponse<String> r = send(multipartSend(gw, target));
                assertEquals(200, r.statusCode(), target + ": " + r.body());
            }
            HttpResponse<String> r = send(multipartSend(gw, "//v3/grants/g1/messages/send"));
            assertEquals(429, r.statusCode(), "//v3/... is the same grant's send, not a request to host v3");
        }
    }

    @Test
    void anAttributeSetByAnEarlierFilterIsAKeyPart() throws Exception {
        try (PolicyGate gate = gate(NylasV2.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            HttpResponse<String> unknown = send(HttpRequest.newBuilder(gw.uri("/account")).header("Authorization", "Bearer t"));
            assertEquals(401, unknown.statusCode());
            assertTrue(unknown.body().contains(NylasV2.NO_APPLICATION_MESSAGE), unknown.body());
            HttpResponse<String> known = send(HttpRequest.newBuilder(gw.uri("/account"))
                    .header("Authorization", "Bearer t").header("X-App", "app-1"));
            assertEquals(200, known.statusCode(), known.body());
        }
    }

    @Test
    void aGateThatCannotDecideAnswers503OrPassesWhenConfiguredTo() throws Exception {
        PolicyGate closed = gate(NylasV3.policy());
        closed.close();
        try (JettyGateway gw = new JettyGateway(RateLimitFilter.of(closed))) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")).header("Authorization", "Bearer k"));
            assertEquals(503, r.statusCode());
            assertEquals(RateLimitFilter.UNAVAILABLE_BODY, r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(0, gw.backendCalls.get());
        }
        try (JettyGateway gw = new JettyGateway(RateLimitFilter.builder(closed).whenGateFails(WhenGateFails.ALLOW).build())) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")).header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertEquals("ok", r.body());
            assertEquals(1, gw.backendCalls.get());
        }
    }
}
