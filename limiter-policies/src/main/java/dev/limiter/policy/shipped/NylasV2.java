package dev.limiter.policy.shipped;

import dev.limiter.Limit;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;

import java.time.Duration;

/**
 * The Nylas v2 rate limits ({@value Sources#NYLAS}): 500 requests per second per endpoint per
 * application and 50 per endpoint per account (access token) on every endpoint except the
 * concurrent and IP-address ones; 10 concurrent {@code /delta/streaming} and 10 concurrent
 * {@code /delta/longpoll} requests per account; 5 concurrent {@code /messages}, {@code /threads},
 * {@code /contacts} queries per account; and 10 requests per hour to
 * {@code GET /a/{client_id}/ip_addresses}.
 *
 * <p>The application is attribute {@value Attributes#APPLICATION}, set by the gateway once it
 * knows which application the access token belongs to; the account is the access token in the
 * {@code Authorization} header; an endpoint is the method and first path segment
 * ({@code GET /messages} covers {@code GET /messages/{id}}). All rules share one precedence group,
 * so the concurrent and IP-address endpoints are not also counted by the per-second limits.
 * Concurrent requests hold their permit until the gateway calls
 * {@link dev.limiter.policy.Verdict#complete()}; a permit never returned is reclaimed after
 * {@link #STREAM_MAX_HOLD} or {@link #QUERY_MAX_HOLD}.
 *
 * <p>Missing keys: a request without an access token, or whose application the gateway did not
 * set, is refused with 401 and counted nowhere; pooling such requests in one bucket would let
 * unidentified callers exhaust it for each other (and hide the gateway's bug).
 */
public final class NylasV2 {
    /** Version of the shipped policy. */
    public static final String VERSION = "2024-06";
    /** Longest a delta stream or long poll may hold its permit before it is reclaimed. */
    public static final Duration STREAM_MAX_HOLD = Duration.ofHours(1);
    /** Longest a query may hold its permit before it is reclaimed. */
    public static final Duration QUERY_MAX_HOLD = Duration.ofMinutes(5);

    /** The message of a refusal for a missing access token. */
    public static final String NO_TOKEN_MESSAGE = "An access token (Authorization: Bearer ...) is required";
    /** The message of a refusal when the gateway has not identified the application. */
    public static final String NO_APPLICATION_MESSAGE = "The request's application is not known";

    private static final KeyPart ACCOUNT = KeyPart.header("Authorization").orRefuse(401, NO_TOKEN_MESSAGE);
    private static final KeyPart APPLICATION = KeyPart.attribute(Attributes.APPLICATION)
            .orRefuse(401, NO_APPLICATION_MESSAGE);

    private NylasV2() {
    }

    /** @return the policy */
    public static Policy policy() {
        return Policy.named("nylas-v2").version(VERSION).errorType("invalid_request_error")
                .source(Sources.NYLAS, "nylas-429")
                .rule(v2("nylas2-application").route("/**")
                        .key(APPLICATION, KeyPart.endpoint(1))
                        .limit(Limit.fixedWindow("nylas2-application", 500, Duration.ofSeconds(1)).build())
                        .message("Too many requests from this application")
                        .build())
                .rule(v2("nylas2-account").route("/**")
                        .key(ACCOUNT, KeyPart.endpoint(1))
                        .limit(Limit.fixedWindow("nylas2-account", 50, Duration.ofSeconds(1)).build())
                        .message("Too many requests")
                        .build())
                .rule(v2("nylas2-delta-streaming").route("/delta/streaming")
                        .key(ACCOUNT)
                        .limit(Limit.concurrency("nylas2-delta-streaming", 10, STREAM_MAX_HOLD).build())
                        .message("Too many concurrent streaming requests")
                        .build())
                .rule(v2("nylas2-delta-longpoll").route("/delta/longpoll")
                        .key(ACCOUNT)
                        .limit(Limit.concurrency("nylas2-delta-longpoll", 10, STREAM_MAX_HOLD).build())
                        .message("Too many concurrent streaming requests")
                        .build())
                .rule(v2("nylas2-query").route("GET", "/messages").route("GET", "/threads").route("GET", "/contacts")
                        .key(ACCOUNT)
                        .limit(Limit.concurrency("nylas2-query", 5, QUERY_MAX_HOLD).build())
                        .message("Too many concurrent query requests")
                        .build())
                .rule(v2("nylas2-ip-addresses").route("GET", "/a/{client_id}/ip_addresses")
                        .key(KeyPart.pathVariable("client_id"), KeyPart.route())
                        .limit(Limit.fixedWindow("nylas2-ip-addresses", 10, Duration.ofHours(1)).build())
                        .message("Too many requests")
                        .build())
                .build();
    }

    private static Rule.Builder v2(String row) {
        return Rule.named(row).group("v2").source(Sources.NYLAS, row);
    }
}
