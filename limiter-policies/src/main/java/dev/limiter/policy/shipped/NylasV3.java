package dev.limiter.policy.shipped;

import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;

import java.time.Duration;

/**
 * The Nylas v3 rate limits ({@value Sources#NYLAS}): 50 requests per second per application for
 * the Applications, Authentication, Connectors, Grants and Webhooks APIs; 200 per second per grant
 * for Calendar, Contacts, Email and Send with {@code application/json}; 10 per second per grant for
 * Send with {@code multipart/form-data}; and {@code GET /v3/grants/{grant_id}/threads} costs
 * {@value #THREADS_COST} permits of the grant's Email limit.
 *
 * <p>The application is identified by its API key ({@code Authorization} header, auth-scheme
 * case and whitespace normalised); the grant by {@code {grant_id}}, except that {@code me} (the
 * grant of the access token) is keyed by the token. A request without the key a rule needs is
 * refused with 401 and counts nowhere, except that Authentication falls back to the
 * {@code client_id} query parameter: the hosted-auth redirect {@code GET /v3/connect/auth} is
 * opened by a browser without a token and names its application that way. "These apply to all
 * endpoints": two catch-all rules cover every v3 endpoint no other rule names, 200/s per grant
 * under {@code /v3/grants/{grant_id}/} and 50/s per application elsewhere. Every rule is in one
 * precedence group, so the send endpoint counts as Send, not also as Email. Windows are fixed 1-second windows: the document's "Expiration 1 second", so
 * that {@code X-RateLimit-Reset} is the time until the window expires. Denials carry the 429 body
 * and headers of the document's "429 error code response" section.
 */
public final class NylasV3 {
    /** Version of the shipped policy. */
    public static final String VERSION = "2024-06";
    /**
     * Permits a threads listing takes. Nylas documents that it "makes a significant number of calls
     * to the provider" without a figure; 10 makes 20 listings per second exhaust a grant's 200.
     */
    public static final long THREADS_COST = 10;
    /** The message of an application-scoped denial. */
    public static final String APPLICATION_MESSAGE = "Too many requests from this application";
    /** The message of a grant-scoped denial. */
    public static final String GRANT_MESSAGE = "Too many requests";

    /** The message of a refusal for a missing API key or access token. */
    public static final String NO_KEY_MESSAGE = "An API key or access token (Authorization: Bearer ...) is required";

    private static final String GRANT = "/v3/grants/{grant_id}";
    private static final KeyPart API_KEY = KeyPart.header("Authorization").orRefuse(401, NO_KEY_MESSAGE);
    /** {@code /v3/grants/me/...} is the grant of the access token: keyed by the token, never one shared "me". */
    private static final KeyPart GRANT_KEY = KeyPart.pathVariable("grant_id").substitute("me", API_KEY);
    private static final String SEND = GRANT + "/messages/send";

    private NylasV3() {
    }

    /** @return the policy */
    public static Policy policy() {
        return Policy.named("nylas-v3").version(VERSION).errorType("invalid_request_error")
                .source(Sources.NYLAS, "nylas-429")
                .rule(perApplication("nylas3-applications").route("/v3/applications/**").build())
                .rule(perApplication("nylas3-authentication", KeyPart.header("Authorization")
                        .orElse(KeyPart.queryParameter("client_id"))
                        .orRefuse(401, NO_KEY_MESSAGE + ", or a client_id query parameter"))
                        .route("/v3/connect/**").build())
                .rule(perGrant("nylas3-calendar", 200)
                        .route(GRANT + "/calendars/**")
                        .route(GRANT + "/events/**")
                        .build())
                .rule(perApplication("nylas3-connectors").route("/v3/connectors/**").build())
                .rule(perGrant("nylas3-contacts", 200).route(GRANT + "/contacts/**").build())
                .rule(perGrant("nylas3-email", 200)
                        .route(GRANT + "/messages/**")
                        .route(GRANT + "/threads/**")
                        .route("GET", GRANT + "/threads", THREADS_COST)
                        .route(GRANT + "/drafts/**")
                        .route(GRANT + "/folders/**")
                        .route(GRANT + "/attachments/**")
                        .source(Sources.NYLAS, "nylas3-threads")
                        .build())
                .rule(perApplication("nylas3-grants").route("/v3/grants").route(GRANT).build())
                .rule(perGrant("nylas3-send-json", 200).route("POST", SEND)
                        .when(Condition.contentType("application/json")).build())
                .rule(perGrant("nylas3-send-multipart", 10).route("POST", SEND)
                        .when(Condition.contentType("multipart/form-data")).build())
                .rule(perApplication("nylas3-webhooks").route("/v3/webhooks/**").build())
                .rule(Rule.named("nylas3-grant-endpoints").catchAll().group("api-type")
                        .route(GRANT + "/**")
                        .key(GRANT_KEY)
                        .limit(Limit.fixedWindow("nylas3-grant-endpoints", 200, Duration.ofSeconds(1)).build())
                        .message(GRANT_MESSAGE)
                        .source(Sources.NYLAS, "nylas3-calendar")
                        .source(Sources.NYLAS, "nylas3-contacts")
                        .source(Sources.NYLAS, "nylas3-email")
                        .build())
                .rule(Rule.named("nylas3-application-endpoints").catchAll().group("api-type")
                        .route("/v3/**")
                        .key(API_KEY)
                        .limit(Limit.fixedWindow("nylas3-application-endpoints", 50, Duration.ofSeconds(1)).build())
                        .message(APPLICATION_MESSAGE)
                        .source(Sources.NYLAS, "nylas3-applications")
                        .source(Sources.NYLAS, "nylas3-grants")
                        .build())
                .build();
    }

    private static Rule.Builder perApplication(String row) {
        return perApplication(row, API_KEY);
    }

    private static Rule.Builder perApplication(String row, KeyPart application) {
        return Rule.named(row).group("api-type")
                .key(application)
                .limit(Limit.fixedWindow(row, 50, Duration.ofSeconds(1)).build())
                .message(APPLICATION_MESSAGE)
                .source(Sources.NYLAS, row);
    }

    private static Rule.Builder perGrant(String row, long perSecond) {
        return Rule.named(row).group("api-type")
                .key(GRANT_KEY)
                .limit(Limit.fixedWindow(row, perSecond, Duration.ofSeconds(1)).build())
                .message(GRANT_MESSAGE)
                .source(Sources.NYLAS, row);
    }
}
