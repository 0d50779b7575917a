package dev.limiter.policy.shipped;

import dev.limiter.Limit;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;

import java.time.Duration;

/**
 * Client-side pacing policies for the providers behind Nylas ({@value Sources#NYLAS}, "Provider
 * rate limits"): an API client evaluates each outbound call and waits (or queues) instead of
 * being refused upstream.
 *
 * <ul>
 *   <li>{@link #google()}: Gmail API 250 quota units per user per second, each call weighted by
 *       Google's per-method cost table, as a token bucket (the provider's "moving average, allows
 *       short bursts"); and Google Workspace sending, 2,000 messages per user per day;
 *       {@link #googleCurrent()} is the same with Google's current per-minute quotas;</li>
 *   <li>{@link #microsoft()}: Office 365 sending, 30 messages per user per minute; and Microsoft
 *       Graph, 10,000 requests per user per 10 minutes;</li>
 *   <li>{@link #icloud()}: 1,000 messages per user per day.</li>
 * </ul>
 *
 * <p>The user is attribute {@value Attributes#USER}. A message sent over SMTP is described as
 * {@code POST} {@value #SMTP_SEND}. The sending and request-count limits are strict sliding
 * windows: a client pacing itself must stay under the provider's limit in every window, wherever
 * the provider starts counting.
 */
public final class UpstreamProviders {
    /** Version of the shipped policies. */
    public static final String VERSION = "2024-06";
    /** Version of {@link #googleCurrent()}. */
    public static final String CURRENT_GOOGLE_VERSION = "2025-current";
    /** The path that describes one message sent over SMTP. */
    public static final String SMTP_SEND = "/smtp/send";

    private static final String GMAIL = "/gmail/v1/users/{userId}";
    private static final KeyPart USER = KeyPart.attribute(Attributes.USER);

    private UpstreamProviders() {
    }

    /** @return the Gmail API quota and Google Workspace sending limits, as the seed states them */
    public static Policy google() {
        return Policy.named("google").version(VERSION)
                .rule(gmailRoutes(Rule.named("gmail-api"))
                        .key(USER)
                        .limit(Limit.tokenBucket("gmail-api", 250, Duration.ofSeconds(1)).build())
                        .message("Gmail API quota: 250 units per user per second")
                        .source(Sources.NYLAS, "gmail-api")
                        .build())
                .rule(googleSending())
                .build();
    }

    /**
     * @return Google's current Gmail API quotas in place of the seed's 250 units per second:
     *     15,000 units per user per minute and 1,200,000 units per project (every request through
     *     this policy) per minute, with the same per-method costs; and Google Workspace sending
     */
    public static Policy googleCurrent() {
        return Policy.named("google").version(CURRENT_GOOGLE_VERSION)
                .rule(gmailRoutes(Rule.named("gmail-api-user"))
                        .key(USER)
                        .limit(Limit.tokenBucket("gmail-api-user", 15_000, Duration.ofMinutes(1)).build())
                        .message("Gmail API quota: 15,000 units per user per minute")
                        .source(Sources.NYLAS, "gmail-api")
                        .build())
                .rule(gmailRoutes(Rule.named("gmail-api-project"))
                        .limit(Limit.tokenBucket("gmail-api-project", 1_200_000, Duration.ofMinutes(1)).build())
                        .message("Gmail API quota: 1,200,000 units per project per minute")
                        .source(Sources.NYLAS, "gmail-api")
                        .build())
                .rule(googleSending())
                .build();
    }

    /** Adds Gmail's methods with Google's published cost in quota units. */
    private static Rule.Builder gmailRoutes(Rule.Builder b) {
        return b.route("POST", GMAIL + "/messages/send", 100)
                .route("POST", "/upload" + GMAIL + "/messages/send", 100)
                .route("POST", GMAIL + "/drafts/send", 100)
                .route("GET", GMAIL + "/messages/{id}", 5)
                .route("GET", GMAIL + "/messages", 5)
                .route("POST", GMAIL + "/messages/{id}/modify", 5)
                .route("POST", GMAIL + "/messages/{id}/trash", 5)
                .route("GET", GMAIL + "/messages/{messageId}/attachments/{id}", 5)
                .route("POST", GMAIL + "/messages", 25)
                .route("POST", GMAIL + "/messages/import", 25)
                .route("DELETE", GMAIL + "/messages/{id}", 10)
                .route("POST", GMAIL + "/messages/batchDelete", 50)
                .route("POST", GMAIL + "/messages/batchModify", 50)
                .route("POST", GMAIL + "/drafts", 10)
                .route("PUT", GMAIL + "/drafts/{id}", 15)
                .route("GET", GMAIL + "/drafts/{id}", 5)
                .route("GET", GMAIL + "/drafts", 5)
                .route("GET", GMAIL + "/history", 2)
                .route("GET", GMAIL + "/labels/{id}", 1)
                .route("GET", GMAIL + "/labels", 1)
                .route("POST", GMAIL + "/labels", 5)
                .route("GET", GMAIL + "/profile", 1);
    }

    private static Rule googleSending() {
        return sending("google-sending", 2_000, Duration.ofDays(1))
                .route("POST", GMAIL + "/messages/send")
                .route("POST", "/upload" + GMAIL + "/messages/send")
                .route("POST", GMAIL + "/drafts/send")
                .message("Google Workspace sending limit: 2,000 messages per user per day")
                .build();
    }

    /** @return the Office 365 sending and Microsoft Graph limits */
    public static Policy microsoft() {
        return Policy.named("microsoft").version(VERSION)
                .rule(sending("office365-sending", 30, Duration.ofMinutes(1))
                        .route("POST", "/v1.0/me/sendMail")
                        .route("POST", "/v1.0/users/{user_id}/sendMail")
                        .route("POST", "/v1.0/me/messages/{message_id}/send")
                        .route("POST", "/v1.0/users/{user_id}/messages/{message_id}/send")
                        .message("Office 365 sending limit: 30 messages per user per minute")
                        .build())
                .rule(Rule.named("graph-api")
                        .route("/v1.0/**")
                        .route("/beta/**")
                        .key(USER)
                        .limit(Limit.slidingWindow("graph-api", 10_000, Duration.ofMinutes(10)).build())
                        .message("Microsoft Graph limit: 10,000 requests per user per 10 minutes")
                        .source(Sources.NYLAS, "graph-api")
                        .build())
                .build();
    }

    /** @return the iCloud sending limit */
    public static Policy icloud() {
        return Policy.named("icloud").version(VERSION)
                .rule(sending("icloud-sending", 1_000, Duration.ofDays(1))
                        .message("iCloud sending limit: 1,000 messages per user per day")
                        .build())
                .build();
    }

    /** A sending limit counting SMTP sends too; the caller adds the provider's API routes. */
    private static Rule.Builder sending(String row, long messages, Duration period) {
        return Rule.named(row)
                .route("POST", SMTP_SEND)
                .key(USER)
                .limit(Limit.slidingWindow(row, messages, period).build())
                .source(Sources.NYLAS, row);
    }
}
