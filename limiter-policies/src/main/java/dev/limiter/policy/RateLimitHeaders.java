package dev.limiter.policy;

import dev.limiter.Algorithm;
import dev.limiter.Decision;
import dev.limiter.Limit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a {@link Verdict} as HTTP: the Nylas-style {@code X-RateLimit-Limit} and
 * {@code X-RateLimit-Reset} (seconds until the limit expires), {@code Retry-After}, the
 * {@code RateLimit} and {@code RateLimit-Policy} fields of draft-ietf-httpapi-ratelimit-headers-10,
 * and the JSON body {@code {"message": "...", "type": "..."}}; stateless.
 *
 * <p>Durations are whole seconds rounded up, so a client that waits the advertised time is never
 * early. {@code Retry-After} and {@code RateLimit}'s {@code t} are omitted when retrying can never
 * succeed (the request asks for more than the limit can ever grant).
 */
final class RateLimitHeaders {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RateLimitHeaders() {
    }

    /** @return {@code nanos} in whole seconds, rounded up; 0 for zero or negative input */
    static long ceilSeconds(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return nanos / NANOS_PER_SECOND + (nanos % NANOS_PER_SECOND == 0 ? 0 : 1);
    }

    /** @return the response headers for {@code v}, in a stable order */
    static Map<String, String> render(Verdict v) {
        Map<String, String> h = new LinkedHashMap<>();
        Rule rule = v.rule();
        if (rule == null) {
            return h;
        }
        boolean never = v.retryAfterNanos() == Decision.NEVER;
        if (!v.allowed()) {
            h.put("X-RateLimit-Limit", Long.toString(v.limitPermits()));
            long reset = Math.max(ceilSeconds(v.resetAfterNanos()), never ? 0 : ceilSeconds(v.retryAfterNanos()));
            h.put("X-RateLimit-Reset", Long.toString(reset));
            if (!never) {
                h.put("Retry-After", Long.toString(Math.max(1, ceilSeconds(v.retryAfterNanos()))));
            }
        }
        h.put("RateLimit-Policy", policyField(v));
        StringBuilder rl = new StringBuilder();
        item(rl, rule.name()).append(";r=").append(Math.max(0, v.remaining()));
        if (!never) {
            long t = v.allowed() ? ceilSeconds(v.resetAfterNanos()) : Math.max(1, ceilSeconds(v.retryAfterNanos()));
            rl.append(";t=").append(t);
        }
        h.put("RateLimit", rl.toString());
        if (!v.allowed()) {
            h.put("Content-Type", "application/json");
        }
        return h;
    }

    /** @return the RateLimit-Policy field listing every rule that applied to the request */
    static String policyField(Verdict v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.ruleCount(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            policyItem(sb, v.appliedRule(i).name(), v.appliedRule(i).limit());
        }
        return sb.toString();
    }

    static StringBuilder policyItem(StringBuilder sb, String name, Limit limit) {
        item(sb, name).append(";q=").append(limit.permits());
        if (limit.algorithm() == Algorithm.CONCURRENCY) {
            sb.append(";qu=\"concurrent-requests\"");
        } else if (limit.periodNanos() > 0) {
            sb.append(";w=").append(ceilSeconds(limit.periodNanos()));
        }
        return sb;
    }

    /** Appends {@code name} as a structured-field string (quoted, with {@code "} and {@code \} escaped). */
    private static StringBuilder item(StringBuilder sb, String name) {
        sb.append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.append('"');
    }

    /** @return {@code {"message": "<message>", "type": "<type>"}} with JSON escaping */
    static String body(String message, String type) {
        StringBuilder sb = new StringBuilder("{\"message\": ");
        json(sb, message).append(", \"type\": ");
        return json(sb, type).append('}').toString();
    }

    private static StringBuilder json(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }
}
