package dev.limiter.netty;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Rule;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handler in a real Netty server (with and without {@code HttpObjectAggregator}), called by the
 * JDK HTTP client and by raw sockets: what passes, the 429 with every header and body, the
 * refusals, the raw target, pipelining, and concurrency permits coming back after responses,
 * backend failures and disconnects.
 */
class RateLimitHandlerTest {
    /** One client per test: a pooled connection never outlives the server it was made to (ports are reused). */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String SEND = "/v3/grants/g1/messages/send";

    static PolicyGate gate(Policy policy) {
        return PolicyGate.builder(policy).clock(new ManualClock()).build();
    }

    static Policy oneAtATime() {
        return Policy.named("one-at-a-time").version("1").errorType("rate_limit_error")
                .rule(Rule.named("one").source("test", "one-at-a-time").route("/**").key(KeyPart.header("Authorization"))
                        .limit(Limit.concurrency("one", 1, Duration.ofMinutes(5)).build())
                        .message("Too many concurrent requests").build())
                .build();
    }

    static Map<String, String> rendered(PolicyGate twin, Request request) {
        Verdict v = twin.evaluate(request);
        try {
            return v.headers();
        } finally {
            v.complete();
        }
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder multipartSend(NettyGateway gw, String target) {
        return HttpRequest.newBuilder(gw.uri(target)).header("Authorization", "Bearer k")
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofString("--b--"));
    }

    private static Request multipartSend() {
        return Request.of("POST", SEND).header("Authorization", "Bearer k")
                .header("Content-Type", "multipart/form-data; boundary=b").build();
    }

    private static String rawSend(String target, String connection) {
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5\r\n" + connection + "\r\n--b--";
    }

    @ParameterizedTest(name = "aggregated {0}")
    @ValueSource(booleans = {false, true})
    void anAllowedRequestPassesWithTheInformationalHeaders(boolean aggregate) throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy()); PolicyGate twin = gate(NylasV3.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), aggregate)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/grants/g1/messages"))
                    .header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertEquals("ok", r.body());
            Map<String, String> expected = rendered(twin, Request.of("GET", "/v3/grants/g1/messages")
                    .header("Authorization", "Bearer k").build());
            assertEquals(Set.of("RateLimit-Policy", "RateLimit"), expected.keySet());
            expected.forEach((k, v) -> assertEquals(List.of(v), r.headers().allValues(k), k));
        }
        try (PolicyGate gate = gate(NylasV3.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate).informationalHeaders(false), aggregate)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/grants/g1/messages"))
                    .header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertFalse(r.headers().firstValue("RateLimit").isPresent());
            assertFalse(r.headers().firstValue("RateLimit-Policy").isPresent());
        }
    }

    @ParameterizedTest(name = "aggregated {0}")
    @ValueSource(booleans = {false, true})
    void aDeniedRequestGetsThe429WithEveryHeaderAndBodyAndItsBodyIsDropped(boolean aggregate) throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy()); PolicyGate twin = gate(NylasV3.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), aggregate)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, send(multipartSend(gw, SEND)).statusCode());
                rendered(twin, multipartSend());
            }
            HttpResponse<String> denied = send(multipartSend(gw, SEND));
            assertEquals(429, denied.statusCode());
            Map<String, String> expected = rendered(twin, multipartSend());
            assertEquals(Set.of("X-RateLimit-Limit", "X-RateLimit-Reset", "Retry-After", "RateLimit-Policy",
                    "RateLimit", "Content-Type"), expected.keySet());
            expected.forEach((k, v) -> assertEquals(List.of(v), denied.headers().allValues(k), k));
            assertEquals("10", denied.headers().firstValue("X-RateLimit-Limit").orElseThrow());
            assertEquals("1", denied.headers().firstValue("Retry-After").orElseThrow());
            String body = "{\"message\": \"" + NylasV3.policy().rule("nylas3-send-multipart").message()
                    + "\", \"type\": \"invalid_request_error\"}";
            assertEquals(body, denied.body());
            // the same connection goes on: denied bodies are dropped, never handed to the backend
            try (RawHttp raw = new RawHttp(gw.port())) {
                List<RawHttp.Response> rs = raw.send(rawSend(SEND, "") + rawSend(SEND, "")
                        + "GET /v3/grants/g1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n").read(3);
                assertEquals(429, rs.get(0).status());
                assertEquals(429, rs.get(1).status());
                assertEquals(200, rs.get(2).status());
            }
            assertEquals(11, gw.backendCalls.get());
            assertEquals(0, gw.strayContent.get());
        }
    }

    @Test
    void aMissingKeyIs401AndAnUnreadableRequest400() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), false)) {
            HttpResponse<String> anonymous = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")));
            assertEquals(401, anonymous.statusCode());
            assertEquals("{\"message\": \"" + NylasV3.NO_KEY_MESSAGE + "\", \"type\": \"invalid_request_error\"}",
                    anonymous.body());
            assertEquals("application/json", anonymous.headers().firstValue("Content-Type").orElseThrow());
            HttpResponse<String> bad = send(HttpRequest.newBuilder(gw.uri("/v3/grants/g1/%2Fmessages"))
                    .header("Authorization", "Bearer k"));
            assertEquals(400, bad.statusCode(), "an encoded '/' is refused: " + bad.body());
            assertTrue(bad.body().endsWith("\"type\": \"invalid_request_error\"}"), bad.body());
            assertEquals(0, gw.backendCalls.get());
        }
    }

    @Test
    void theTargetIsReadAsReceivedTwoSlashesAreAPathAndAnAbsoluteFormLosesItsAuthority() throws Exception {
        try (PolicyGate gate = gate(NylasV3.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), false);
             RawHttp raw = new RawHttp(gw.port())) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 11; i++) {
                String target = i % 3 == 0 ? "/" + SEND : i % 3 == 1 ? "http://v3" + SEND : "/v3/grants/%67%31/messages/send";
                requests.append(rawSend(target, ""));
            }
            List<RawHttp.Response> rs = raw.send(requests.toString()).read(11);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, rs.get(i).status(), "request " + i + ": " + rs.get(i));
            }
            assertEquals(429, rs.get(10).status(), "all eleven are the same grant's sends");
            assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/v3/connect/auth?client_id=c1"))).statusCode(),
                    "the query reaches the gate");
        }
    }

    @Test
    void anAttributeSetByAnEarlierHandlerIsAKeyPart() throws Exception {
        try (PolicyGate gate = gate(NylasV2.policy());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), true)) {
            assertEquals(401, send(HttpRequest.newBuilder(gw.uri("/account")).header("Authorization", "Bearer t")).statusCode());
            assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/account")).header("Authorization", "Bearer t")
                    .header("X-App", "app-1")).statusCode());
        }
    }

    @ParameterizedTest(name = "aggregated {0}")
    @ValueSource(booleans = {false, true})
    void aPermitIsHeldWhileServedAndComesBackWhenTheResponseIsWritten(boolean aggregate) throws Exception {
        try (PolicyGate gate = gate(oneAtATime());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), aggregate)) {
            CompletableFuture<HttpResponse<String>> first = client.sendAsync(HttpRequest.newBuilder(gw.uri("/x"))
                    .header("Authorization", "a").header("X-Backend", "wait").build(), HttpResponse.BodyHandlers.ofString());
            ChannelHandlerContext serving = gw.awaitWaiting();
            HttpResponse<String> second = send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a"));
            assertEquals(429, second.statusCode());
            assertEquals("\"one\";q=1;qu=\"concurrent-requests\"", second.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertEquals("{\"message\": \"Too many concurrent requests\", \"type\": \"rate_limit_error\"}", second.body());
            NettyGateway.respond(serving);
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")).statusCode());
            }
            assertEquals(500, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")
                    .header("X-Backend", "throw")).statusCode());
            assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")).statusCode(),
                    "the failed request's permit came back with its 500");
        }
    }

    @Test
    void aClientThatDisconnectsGetsItsPermitReturned() throws Exception {
        try (PolicyGate gate = gate(oneAtATime());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), false)) {
            try (RawHttp raw = new RawHttp(gw.port())) {
                raw.send("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\nX-Backend: wait\r\n\r\n");
                gw.awaitWaiting();
                assertEquals(429, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")).statusCode());
            }
            gw.awaitClosed();
            assertEquals(200, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")).statusCode());
        }
    }

    @ParameterizedTest(name = "aggregated {0}")
    @ValueSource(booleans = {false, true})
    void pipelinedRequestsAreServedOneAtATimeInOrder(boolean aggregate) throws Exception {
        try (PolicyGate gate = gate(oneAtATime());
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), aggregate);
             RawHttp raw = new RawHttp(gw.port())) {
            String get = "GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\n\r\n";
            String post = "POST /x HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\nContent-Length: 3\r\n\r\nabc";
            raw.send("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\nX-Backend: wait\r\n\r\n" + post + get + post);
            ChannelHandlerContext first = gw.awaitWaiting();
            assertEquals(429, send(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a")).statusCode(),
                    "the first holds the permit; the pipelined three wait behind it, uncounted");
            NettyGateway.respond(first);
            List<RawHttp.Response> rs = raw.read(4);
            for (RawHttp.Response r : rs) {
                assertEquals(200, r.status(), rs.toString());
                assertEquals("ok", r.body());
            }
            assertEquals(4, gw.backendCalls.get());
            assertEquals(0, gw.strayContent.get());
        }
    }

    @Test
    void aGateThatCannotDecideAnswers503OrPassesWhenConfiguredTo() throws Exception {
        PolicyGate closed = gate(NylasV3.policy());
        closed.close();
        try (NettyGateway gw = new NettyGateway(RateLimitHandler.builder(closed), false)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")).header("Authorization", "Bearer k"));
            assertEquals(503, r.statusCode());
            assertEquals(RateLimitHandler.UNAVAILABLE_BODY, r.body());
            assertEquals(0, gw.backendCalls.get());
        }
        try (NettyGateway gw = new NettyGateway(RateLimitHandler.builder(closed).whenGateFails(WhenGateFails.ALLOW), false)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(gw.uri("/v3/webhooks")).header("Authorization", "Bearer k"));
            assertEquals(200, r.statusCode());
            assertEquals(1, gw.backendCalls.get());
        }
    }
}
