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
 *   <li>{@link #microsoft()}: Office 365 sending, 30 messages per user per minute (sendMail, send,
 *       reply, replyAll and forward all send one); and Microsoft
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
    /** A client that forgot to say whose mailbox a call is for has a bug: refused, never pooled. */
    private static final KeyPart USER = KeyPart.attribute(Attributes.USER)
            .orRefuse(400, "the '" + Attributes.USER + "' attribute (the mailbox owner) is not set");

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
                        .key(KeyPart.shared("project"))
                        .limit(Limit.tokenBucket("gmail-api-project", 1_200_000, Duration.ofMinutes(1)).build())
                        .message("Gmail API quota: 1,200,000 units per project per minute")
                        .source(Sources.NYLAS, "gmail-api")
                        .build())
                .rule(googleSending())
                .build();
    }

    /**
     * Adds Gmail's methods with the cost in quota units of Google's per-method table
     * ({@value Sources#GMAIL_QUOTA}); each route names its method. Methods outside the mail, draft,
     * label, thread, history and profile families (settings, watch) are not listed.
     */
    private static Rule.Builder gmailRoutes(Rule.Builder b) {
        return b.route("POST", GMAIL + "/messages/send", 100)              // messages.send
                .route("POST", "/upload" + GMAIL + "/messages/send", 100)  // messages.send (media upload)
                .route("POST", GMAIL + "/drafts/send", 100)                // drafts.send
                .route("GET", GMAIL + "/messages/{id}", 5)                 // messages.get
                .route("GET", GMAIL + "/messages", 5)                      // messages.list
                .route("POST", GMAIL + "/messages/{id}/modify", 5)         // messages.modify
                .route("POST", GMAIL + "/messages/{id}/trash", 5)          // messages.trash
                .route("POST", GMAIL + "/messages/{id}/untrash", 5)        // messages.untrash
                .route("GET", GMAIL + "/messages/{messageId}/attachments/{id}", 5) // messages.attachments.get
                .route("POST", GMAIL + "/messages", 25)                    // messages.insert
                .route("POST", GMAIL + "/messages/import", 25)             // messages.import
                .route("DELETE", GMAIL + "/messages/{id}", 10)             // messages.delete
                .route("POST", GMAIL + "/messages/batchDelete", 50)        // messages.batchDelete
                .route("POST", GMAIL + "/messages/batchModify", 50)        // messages.batchModify
                .route("POST", GMAIL + "/drafts", 10)                      // drafts.create
                .route("PUT", GMAIL + "/drafts/{id}", 15)                  // drafts.update
                .route("DELETE", GMAIL + "/drafts/{id}", 10)               // drafts.delete
                .route("GET", GMAIL + "/drafts/{id}", 5)                   // drafts.get
                .route("GET", GMAIL + "/drafts", 5)                        // drafts.list
                .route("GET", GMAIL + "/history", 2)                       // history.list
                .route("GET", GMAIL + "/labels/{id}", 1)                   // labels.get
                .route("GET", GMAIL + "/labels", 1)                        // labels.list
                .route("POST", GMAIL + "/labels", 5)                       // labels.create
                .route("PUT", GMAIL + "/labels/{id}", 5)                   // labels.update
                .route("DELETE", GMAIL + "/labels/{id}", 5)                // labels.delete
                .route("GET", GMAIL + "/threads/{id}", 10)                 // threads.get
                .route("GET", GMAIL + "/threads", 10)                      // threads.list
                .route("POST", GMAIL + "/threads/{id}/modify", 10)         // threads.modify
                .route("POST", GMAIL + "/threads/{id}/trash", 10)          // threads.trash
                .route("POST", GMAIL + "/threads/{id}/untrash", 10)        // threads.untrash
                .route("DELETE", GMAIL + "/threads/{id}", 20)              // threads.delete
                .route("GET", GMAIL + "/profile", 1);                      // getProfile
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
                        // reply, replyAll and forward send a message too (Sources.GRAPH_MESSAGE).
                        .route("POST", "/v1.0/me/messages/{message_id}/reply")
                        .route("POST", "/v1.0/me/messages/{message_id}/replyAll")
                        .route("POST", "/v1.0/me/messages/{message_id}/forward")
                        .route("POST", "/v1.0/users/{user_id}/messages/{message_id}/reply")
                        .route("POST", "/v1.0/users/{user_id}/messages/{message_id}/replyAll")
                        .route("POST", "/v1.0/users/{user_id}/messages/{message_id}/forward")
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
