package dev.limiter.policy;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.internal.EngineAccess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Rendering of verdicts as 429 responses, without any engine. */
class RateLimitHeadersTest {
    private static final long S = 1_000_000_000L;

    private static Rule rule(String name, Limit limit, String message) {
        return Rule.named(name).route("/**").key(KeyPart.shared("all")).limit(limit).message(message).source("doc", name).build();
    }

    private static final Rule PER_SECOND = rule("per-second", Limit.fixedWindow("per-second", 50, Duration.ofSeconds(1))
            .build(), "Too many requests from this application");
    private static final Rule DAILY = rule("daily", Limit.slidingWindow("daily", 1000, Duration.ofDays(1)).build(),
            "Too many \"quoted\"\\ requests\n");
    private static final Rule STREAMS = rule("streams", Limit.concurrency("streams", 10, Duration.ofHours(1)).build(),
            "Too many concurrent streaming requests");
    private static final Policy POLICY = Policy.named("p").errorType("invalid_request_error").rule(PER_SECOND)
            .rule(DAILY).rule(STREAMS).build();

    private static Verdict verdict(Outcome outcome, Rule deciding, long remaining, long retry, long reset,
                                   List<Rule> applied) {
        Verdict v = new Verdict(POLICY, null).handOut();
        v.set(EngineAccess.decisions().set(new Decision(), outcome, deciding.limit(), 0, remaining, retry, reset), deciding);
        applied.forEach(v::addApplied);
        return v;
    }

    @Test
    void aDenialCarriesEveryHeaderWithSecondsRoundedUp() {
        Verdict v = verdict(Outcome.LIMITED, PER_SECOND, 0, 250_000_000L, 250_000_001L, List.of(PER_SECOND, DAILY));
        Map<String, String> h = v.headers();
        assertEquals(List.of("X-RateLimit-Limit", "X-RateLimit-Reset", "Retry-After", "RateLimit-Policy", "RateLimit",
                "Content-Type"), List.copyOf(h.keySet()));
        assertEquals("50", h.get("X-RateLimit-Limit"));
        assertEquals("1", h.get("X-RateLimit-Reset"));
        assertEquals("1", h.get("Retry-After"));
        assertEquals("\"per-second\";q=50;w=1, \"daily\";q=1000;w=86400", h.get("RateLimit-Policy"));
        assertEquals("\"per-second\";r=0;t=1", h.get("RateLimit"));
        assertEquals(429, v.status());
        assertEquals("{\"message\": \"Too many requests from this application\", \"type\": \"invalid_request_error\"}",
                v.body());
    }

    @Test
    void theBodyIsEscapedJsonAndTheResetIsTheLongerOfResetAndRetry() {
        Verdict v = verdict(Outcome.LIMITED, DAILY, 0, 3 * S + 1, 2 * S, List.of(DAILY));
        assertEquals("{\"message\": \"Too many \\\"quoted\\\"\\\\ requests\\n\", \"type\": \"invalid_request_error\"}",
                v.body());
        assertEquals("4", v.headers().get("X-RateLimit-Reset"));
        assertEquals("4", v.headers().get("Retry-After"));
    }

    @Test
    void concurrencyIsAdvertisedAsConcurrentRequestsWithoutAWindow() {
        Verdict v = verdict(Outcome.LIMITED, STREAMS, 0, 0, 0, List.of(STREAMS));
        assertEquals("\"streams\";q=10;qu=\"concurrent-requests\"", v.headers().get("RateLimit-Policy"));
        assertEquals("1", v.headers().get("Retry-After"), "never advertise 0 seconds on a 429");
    }

    @Test
    void anUnsatisfiableRequestHasNoRetryAfter() {
        Verdict v = verdict(Outcome.UNSATISFIABLE, PER_SECOND, 0, Decision.NEVER, 0, List.of(PER_SECOND));
        Map<String, String> h = v.headers();
        assertFalse(h.containsKey("Retry-After"));
        assertEquals("\"per-second\";r=0", h.get("RateLimit"));
        assertEquals(429, v.status());
    }

    @Test
    void anAdmissionCarriesOnlyTheInformationalFields() {
        Verdict v = verdict(Outcome.ALLOWED, PER_SECOND, 42, 0, 600_000_000L, List.of(PER_SECOND));
        assertEquals(Map.of("RateLimit-Policy", "\"per-second\";q=50;w=1", "RateLimit", "\"per-second\";r=42;t=1"),
                v.headers());
        assertNull(v.body());
        assertNull(v.message());
        assertEquals(200, v.status());
    }

    @Test
    void ceilSecondsEdges() {
        assertEquals(0, RateLimitHeaders.ceilSeconds(-5));
        assertEquals(0, RateLimitHeaders.ceilSeconds(0));
        assertEquals(1, RateLimitHeaders.ceilSeconds(1));
        assertEquals(1, RateLimitHeaders.ceilSeconds(S));
        assertEquals(2, RateLimitHeaders.ceilSeconds(S + 1));
        assertEquals(Long.MAX_VALUE / S + 1, RateLimitHeaders.ceilSeconds(Long.MAX_VALUE));
    }
}
