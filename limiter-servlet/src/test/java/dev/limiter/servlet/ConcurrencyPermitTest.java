package dev.limiter.servlet;

import dev.limiter.Limit;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Rule;
import dev.limiter.policy.shipped.NylasV2;
import jakarta.servlet.AsyncContext;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrency permits are held while a request is served and come back when its response is
 * finished, however it finishes: a normal response, a backend exception, an async completion, an
 * async timeout, a client that disconnects. "Came back" is observed as the next request being
 * admitted under a limit of one concurrent request per caller (and Nylas v2's five per account).
 */
class ConcurrencyPermitTest {
    /** One client per test: a pooled connection never outlives the server it was made to (ports are reused). */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One request at a time per Authorization value, on every path. */
    static Policy oneAtATime() {
        return Policy.named("one-at-a-time").version("1").errorType("rate_limit_error")
                .rule(Rule.named("one").source("test", "one-at-a-time").route("/**").key(KeyPart.header("Authorization"))
                        .limit(Limit.concurrency("one", 1, Duration.ofMinutes(5)).build())
                        .message("Too many concurrent requests").build())
                .build();
    }

    private static HttpRequest.Builder request(JettyGateway gw, String backend) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "Bearer a");
        return backend == null ? b : b.header("X-Backend", backend);
    }

    private int status(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPermitIsHeldWhileServedAndComesBackAfterANormalResponse() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(oneAtATime());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            CompletableFuture<HttpResponse<String>> first =
                    client.sendAsync(request(gw, "wait").build(), HttpResponse.BodyHandlers.ofString());
            gw.awaitEntered();
            HttpResponse<String> second = client.send(request(gw, null).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, second.statusCode(), "the first holds the only permit");
            assertEquals("\"one\";q=1;qu=\"concurrent-requests\"", second.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertEquals("{\"message\": \"Too many concurrent requests\", \"type\": \"rate_limit_error\"}", second.body());
            assertEquals("returned", gw.awaitFinished(), "the denied request");
            gw.release.countDown();
            assertEquals(200, await(first).statusCode());
            assertEquals("returned", gw.awaitFinished());
            for (int i = 0; i < 3; i++) {
                assertEquals(200, status(request(gw, null)), "request " + i + " after the first finished");
                gw.awaitFinished();
            }
        }
    }

    @Test
    void aBackendExceptionReturnsThePermit() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(oneAtATime());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            assertEquals(500, status(request(gw, "throw")), "the container answers the backend's exception");
            gw.awaitFinished();
            assertEquals(200, status(request(gw, null)));
        }
    }

    @Test
    void anAsyncRequestHoldsItsPermitUntilItCompletes() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(oneAtATime());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            CompletableFuture<HttpResponse<String>> first =
                    client.sendAsync(request(gw, "async").build(), HttpResponse.BodyHandlers.ofString());
            AsyncContext ac = gw.awaitAsync();
            assertEquals(429, status(request(gw, null)), "the servlet returned, but the async request still holds it");
            assertEquals("returned", gw.awaitFinished(), "the denied request");
            JettyGateway.ok((jakarta.servlet.http.HttpServletResponse) ac.getResponse());
            ac.complete();
            assertEquals(200, await(first).statusCode());
            assertEquals("async complete", gw.awaitFinished());
            assertEquals(200, status(request(gw, null)));
        }
    }

    @Test
    void anAsyncTimeoutReturnsThePermit() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(oneAtATime());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            int timedOut = status(request(gw, "async-timeout"));
            assertTrue(timedOut >= 500, "the container ends a timed-out async request with an error: " + timedOut);
            String how = gw.awaitFinished();
            assertTrue(how.startsWith("async"), how);
            assertEquals(200, status(request(gw, null)));
        }
    }

    @Test
    void aClientThatDisconnectsMidRequestGetsItsPermitReturned() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(oneAtATime());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            try (Socket s = new Socket("127.0.0.1", gw.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer a\r\nX-Backend: read\r\n"
                        + "Content-Length: 1000\r\n\r\n0123456789").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                gw.awaitEntered();
                assertEquals(429, status(request(gw, null)), "the reading request holds the permit");
                assertEquals("returned", gw.awaitFinished(), "the denied request");
            }                                            // the client goes away with 990 bytes unsent
            gw.awaitFinished();                          // the backend's read failed; the filter's finally ran
            assertEquals(200, status(request(gw, null)));
        }
    }

    @Test
    void nylasV2AdmitsFiveConcurrentQueriesPerAccountAndTheSixthOnceOneFinishes() throws Exception {
        try (PolicyGate gate = RateLimitFilterTest.gate(NylasV2.policy());
             JettyGateway gw = new JettyGateway(RateLimitFilter.of(gate))) {
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                held.add(client.sendAsync(HttpRequest.newBuilder(gw.uri("/messages?limit=5"))
                        .header("Authorization", "Bearer t").header("X-Backend", "async").build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<AsyncContext> serving = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                serving.add(gw.awaitAsync());
            }
            HttpResponse<String> sixth = client.send(HttpRequest.newBuilder(gw.uri("/messages"))
                    .header("Authorization", "Bearer t").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, sixth.statusCode());
            assertEquals("{\"message\": \"Too many concurrent query requests\", \"type\": \"invalid_request_error\"}",
                    sixth.body());
            assertEquals("5", sixth.headers().firstValue("X-RateLimit-Limit").orElseThrow());
            assertEquals(200, status(HttpRequest.newBuilder(gw.uri("/messages")).header("Authorization", "Bearer other")),
                    "another account has its own five");
            gw.awaitFinished();
            gw.awaitFinished();
            AsyncContext one = serving.remove(0);
            JettyGateway.ok((jakarta.servlet.http.HttpServletResponse) one.getResponse());
            one.complete();
            assertEquals("async complete", gw.awaitFinished());
            held.add(client.sendAsync(HttpRequest.newBuilder(gw.uri("/messages")).header("Authorization", "Bearer t")
                    .header("X-Backend", "async").build(), HttpResponse.BodyHandlers.ofString()));
            serving.add(gw.awaitAsync());             // one of the five finished: its permit came back, and is held again
            assertEquals(429, status(HttpRequest.newBuilder(gw.uri("/messages")).header("Authorization", "Bearer t")),
                    "five held again");
            gw.awaitFinished();
            for (AsyncContext ac : serving) {
                JettyGateway.ok((jakarta.servlet.http.HttpServletResponse) ac.getResponse());
                ac.complete();
            }
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertEquals(200, await(f).statusCode());
            }
        }
    }
}
