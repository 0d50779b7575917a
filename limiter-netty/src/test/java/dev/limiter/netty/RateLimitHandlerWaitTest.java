package dev.limiter.netty;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.engine.OffHeapEngine;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Rule;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Requests held by the handler while a rule lets them wait ({@code Rule.maxWait}), in a real Netty
 * server called by the JDK HTTP client and raw sockets. Time is a ManualClock: the test moves it
 * and runs the engine's timers, so a held request resumes exactly when the test says; "held" is
 * observed as the engine's pending wait timer, never by sleeping.
 */
class RateLimitHandlerWaitTest {
    private static final long MS = 1_000_000L;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Two per second per caller (the third conforms 500 ms later), waiting up to 800 ms; one at a time. */
    private static Policy waiting() {
        return Policy.named("waits").version("1").rule(rate())
                .rule(Rule.named("one").source("test", "one").route("/**").key(KeyPart.header("Authorization"))
                        .limit(Limit.concurrency("one", 1, Duration.ofMinutes(5)).build()).build())
                .build();
    }

    private static Rule rate() {
        return Rule.named("rate").source("test", "rate").route("/**").key(KeyPart.header("Authorization"))
                .limit(Limit.tokenBucket("rate", 2, Duration.ofSeconds(1)).build()).maxWait(Duration.ofMillis(800)).build();
    }

    private HttpResponse<String> send(NettyGateway gw, String backend) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a");
        if (backend != null) {
            b.header("X-Backend", backend);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(NettyGateway gw) {
        return client.sendAsync(HttpRequest.newBuilder(gw.uri("/x")).header("Authorization", "a").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (bounded) until the engine holds {@code n} timers: a request's wait is then scheduled. */
    private static void awaitTimers(OffHeapEngine engine, int n) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.pendingTimers() < n) {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("no request started waiting within 10 s; timers: " + engine.pendingTimers());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aHeldRequestResumesWhenItsWaitIsGrantedAndItsPermitComesBackWithItsResponse() throws Exception {
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(waiting()).clock(clock).build();
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), false)) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            assertEquals(200, send(gw, null).statusCode());
            assertEquals(200, send(gw, null).statusCode());
            engine.runTimers();                                    // the two leases' reclaim timers stay; count them
            int base = engine.pendingTimers();
            CompletableFuture<HttpResponse<String>> held = sendAsync(gw);
            awaitTimers(engine, base + 1);
            assertFalse(held.isDone(), "answered although the wait is not over");
            assertEquals(2, gw.backendCalls.get(), "a held request reached the backend");

            clock.set(500 * MS + engine.timerTickNanos());
            engine.runTimers();
            HttpResponse<String> resumed = held.get(10, TimeUnit.SECONDS);
            assertEquals(200, resumed.statusCode());
            assertEquals("ok", resumed.body());
            assertEquals(3, gw.backendCalls.get());

            clock.set(Duration.ofSeconds(10).toNanos());
            CompletableFuture<HttpResponse<String>> serving = client.sendAsync(HttpRequest.newBuilder(gw.uri("/x"))
                    .header("Authorization", "a").header("X-Backend", "wait").build(), HttpResponse.BodyHandlers.ofString());
            ChannelHandlerContext ctx = gw.awaitWaiting();         // the waited request's concurrency permit came back
            NettyGateway.respond(ctx);
            assertEquals(200, serving.get(10, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void aHeldRequestThatLosesItsPermitToAnotherCallerGets429WithRetryAfter() throws Exception {
        ManualClock clock = new ManualClock(0);
        // without the concurrency rule: the other caller's permit goes back on the event loop, racing with runTimers here
        try (PolicyGate gate = PolicyGate.builder(Policy.named("waits").rule(rate()).build()).clock(clock).build();
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), true)) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            assertEquals(200, send(gw, null).statusCode());
            assertEquals(200, send(gw, null).statusCode());
            engine.runTimers();
            int base = engine.pendingTimers();
            CompletableFuture<HttpResponse<String>> held = sendAsync(gw);
            awaitTimers(engine, base + 1);
            clock.set(500 * MS + engine.timerTickNanos());
            assertEquals(200, send(gw, null).statusCode(), "a caller deciding at once takes the permit first");
            engine.runTimers();                                    // the held request: next permit past its 800 ms
            HttpResponse<String> refused = held.get(10, TimeUnit.SECONDS);
            assertEquals(429, refused.statusCode());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow(), refused.headers() + " " + refused.body());
            assertEquals(3, gw.backendCalls.get());
        }
    }

    @Test
    void aClientThatDisconnectsWhileHeldCancelsItsWaitAndTakesNothing() throws Exception {
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(waiting()).clock(clock).build();
             NettyGateway gw = new NettyGateway(RateLimitHandler.builder(gate), false)) {
            OffHeapEngine engine = (OffHeapEngine) gate.engine();
            assertEquals(200, send(gw, null).statusCode());
            assertEquals(200, send(gw, null).statusCode());
            engine.runTimers();
            int base = engine.pendingTimers();
            try (RawHttp raw = new RawHttp(gw.port())) {
                raw.send("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\n\r\n");
                awaitTimers(engine, base + 1);
            }
            gw.awaitClosed();
            clock.set(500 * MS + engine.timerTickNanos());
            engine.runTimers();
            assertEquals(2, gw.backendCalls.get(), "the disconnected request reached the backend");
            assertEquals(200, send(gw, null).statusCode(), "the cancelled wait took the permit");
            assertEquals(0, gate.counters("rate").denied() + gate.counters("one").denied());
            assertEquals(3, gate.counters("rate").admitted());
        }
    }
}
