package dev.limiter.benchmarks.policy;

import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;

/**
 * The precomputed Nylas v3 request stream the policy benchmarks share: {@value #SIZE} requests
 * over ten request shapes (message list and read, JSON and multipart send, threads listing,
 * events, contacts, grant read, webhooks, token exchange), a given number of grants and 64 API
 * keys; immutable once built.
 */
final class NylasV3Stream {
    /** Requests in the stream, a power of two so that a benchmark can wrap with a mask. */
    static final int SIZE = 4_096;
    private static final String[][] SHAPES = {
        {"GET", "/v3/grants/%s/messages?limit=10", null},
        {"GET", "/v3/grants/%s/messages/m-17", null},
        {"POST", "/v3/grants/%s/messages/send", "application/json"},
        {"POST", "/v3/grants/%s/messages/send", "multipart/form-data; boundary=b"},
        {"GET", "/v3/grants/%s/threads", null},
        {"GET", "/v3/grants/%s/events?calendar_id=primary", null},
        {"GET", "/v3/grants/%s/contacts", null},
        {"GET", "/v3/grants/%s", null},
        {"GET", "/v3/webhooks", null},
        {"POST", "/v3/connect/token", null},
    };

    private NylasV3Stream() {
    }

    /** @return the grant id of request {@code i} (every shape but webhooks and token exchange names it) */
    static String grant(int i, int grants) {
        return "grant-" + (i * 7919) % grants;
    }

    /** @return the stream over {@code grants} grants */
    static RequestView[] build(int grants) {
        RequestView[] stream = new RequestView[SIZE];
        for (int i = 0; i < SIZE; i++) {
            String[] s = SHAPES[i % SHAPES.length];
            Request.Builder b = Request.of(s[0], String.format(s[1], grant(i, grants)))
                    .header("Authorization", "Bearer key-" + i % 64);
            if (s[2] != null) {
                b.header("Content-Type", s[2]);
            }
            stream[i] = b.build();
        }
        return stream;
    }
}
