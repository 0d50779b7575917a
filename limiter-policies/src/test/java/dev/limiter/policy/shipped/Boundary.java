package dev.limiter.policy.shipped;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives requests through a gate on a manual clock and checks the exact admission boundary. */
final class Boundary {
    private Boundary() {
    }

    /** Admits {@code n} requests at the clock's time, failing at the first denial. */
    static void admit(PolicyGate gate, ManualClock clock, RequestView r, long n) {
        for (long i = 1; i <= n; i++) {
            Verdict v = gate.evaluate(r, clock.nanoTime());
            if (!v.allowed()) {
                throw new AssertionError("request " + i + " of " + n + " should be admitted: " + v);
            }
        }
    }

    /**
     * Asserts the next request is denied by {@code rule} with {@code message}, the 429 body of
     * {@code errorType}, {@code X-RateLimit-Limit = limit} and {@code X-RateLimit-Reset = resetSeconds} (any value when negative: quota and concurrency limits have no window).
     */
    static Verdict denied(PolicyGate gate, ManualClock clock, RequestView r, String rule, String message,
                          long limit, long resetSeconds) {
        Verdict v = gate.evaluate(r, clock.nanoTime());
        assertFalse(v.allowed(), () -> "request should be denied: " + v);
        assertEquals(429, v.status());
        assertEquals(rule, v.rule().name());
        assertEquals(message, v.message());
        assertEquals("{\"message\": \"" + message + "\", \"type\": \"" + gate.policy().errorType() + "\"}",
                v.body());
        Map<String, String> h = v.headers();
        assertEquals(Long.toString(limit), h.get("X-RateLimit-Limit"), () -> h.toString());
        if (resetSeconds >= 0) {
            assertEquals(Long.toString(resetSeconds), h.get("X-RateLimit-Reset"), () -> h.toString());
        } else {
            assertNotNull(h.get("X-RateLimit-Reset"));
        }
        assertNotNull(h.get("RateLimit-Policy"));
        assertTrue(h.get("RateLimit").startsWith("\"" + rule + "\";r=0"), () -> h.toString());
        assertEquals("application/json", h.get("Content-Type"));
        return v;
    }

    /**
     * The whole boundary of a windowed rule: {@code n} admitted (the n-th included), the next one
     * denied with {@code X-RateLimit-Reset} and {@code Retry-After} of one period (a strict sliding
     * window may add one sub-window: the permits granted at one instant stop counting only when
     * their whole sub-window has left the window), and admitted again once that advertised time
     * has passed, but not a nanosecond before.
     */
    static void windowBoundary(PolicyGate gate, ManualClock clock, RequestView r, long n, String rule,
                               String message, long periodNanos) {
        admit(gate, clock, r, n);
        Limit limit = gate.policy().rule(rule).limit();
        long min = ceilSeconds(periodNanos);
        long max = limit.algorithm() == Algorithm.SLIDING_WINDOW
                ? ceilSeconds(periodNanos + periodNanos / limit.subWindows()) : min;
        Verdict v = denied(gate, clock, r, rule, message, limit.permits(), -1);
        long reset = Long.parseLong(v.headers().get("X-RateLimit-Reset"));
        long retry = Long.parseLong(v.headers().get("Retry-After"));
        assertTrue(min <= reset && reset <= max, () -> "X-RateLimit-Reset " + reset + " not in [" + min + ", " + max + "]");
        assertTrue(min <= retry && retry <= max, () -> "Retry-After " + retry + " not in [" + min + ", " + max + "]");
        long retryNanos = v.retryAfterNanos();
        assertTrue(ceilSeconds(retryNanos) == retry, "Retry-After is the decision's retry time, rounded up");
        clock.advance(retryNanos - 1);
        assertFalse(gate.evaluate(r, clock.nanoTime()).allowed(), "still denied a nanosecond before Retry-After");
        clock.advance(1);
        assertTrue(gate.evaluate(r, clock.nanoTime()).allowed(), "admitted again once Retry-After has passed");
    }

    static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
