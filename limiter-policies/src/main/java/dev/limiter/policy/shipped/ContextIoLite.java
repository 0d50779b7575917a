package dev.limiter.policy.shipped;

import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;

import java.time.Duration;

/**
 * The Context.IO Lite rate limits ({@value Sources#CONTEXT_IO}): 5,000 API calls per hour per
 * developer (raisable), 240 IMAP calls per user per minute on the eleven listed endpoints (fixed),
 * and the folder listings (the page defines an IMAP call as any call that "gets a message body,
 * headers, source, or folders"), and 100 distinct users per developer until the privacy policy is verified (then lifted: a
 * cardinality limit over the {@code {id}}s of {@code /lite/users/{id}/...}; the users already
 * admitted keep working, the 101st is refused). Received webhooks count against neither call limit.
 *
 * <p>The developer is the request attribute {@value Attributes#APPLICATION}; the user is the
 * {@code {id}} of {@code /lite/users/{id}/...}; a webhook delivery carries attribute
 * {@value Attributes#KIND} = {@value Attributes#RECEIVED_WEBHOOK}. Windows are fixed and aligned,
 * as "per hour" and "per minute" read. A call whose developer is not set is refused with 401.
 * A gateway serving Lite and 2.0 together uses {@link ContextIo#policy()}.
 */
public final class ContextIoLite {
    /** Version of the shipped policy. */
    public static final String VERSION = "2018-06";
    /** A user's resources; the distinct {@code {id}}s under one developer are what the initial user limit counts. */
    public static final String USER = "/lite/users/{id}";

    private static final String FOLDERS = "/lite/users/{id}/email_accounts/{label}/folders";
    private static final String MESSAGES = FOLDERS + "/{folder}/messages";
    private static final String MESSAGE = MESSAGES + "/{message_id}";
    /** A call whose developer the gateway did not set is refused (401), never pooled with other unknown callers. */
    static final KeyPart DEVELOPER = KeyPart.attribute(Attributes.APPLICATION)
            .orRefuse(401, "The request's developer (application) is not known");
    private static final Condition WEBHOOK = Condition.attribute(Attributes.KIND).is(Attributes.RECEIVED_WEBHOOK);

    private ContextIoLite() {
    }

    /** @return the policy */
    public static Policy policy() {
        return Policy.named("context-io-lite").version(VERSION).errorType("rate_limit_error")
                .rule(apiCalls())
                .rule(imapCalls())
                .rule(initialUsers())
                .build();
    }

    static Rule apiCalls() {
        return Rule.named("cio-api")
                .route("/lite/**")
                .exempt(WEBHOOK)
                .key(DEVELOPER)
                .limit(Limit.fixedWindow("cio-api", 5_000, Duration.ofHours(1)).build())
                .message("Rate limit on overall calls to the API reached: 5,000 calls per hour")
                .override(OverrideKind.RAISABLE)
                .source(Sources.CONTEXT_IO, "cio-api")
                .build();
    }

    static Rule imapCalls() {
        return Rule.named("cio-imap")
                // "any call that gets a message body, headers, source, or folders": the folder
                // listing and a folder's details are counted too, though the page's list omits them.
                .route("GET", FOLDERS)
                .route("GET", FOLDERS + "/{folder}")
                .route("GET", MESSAGES)
                .route("GET,POST", MESSAGE)
                .route("GET", MESSAGE + "/attachments")
                .route("GET", MESSAGE + "/attachments/{attachment}")
                .route("GET", MESSAGE + "/body")
                .route("GET", MESSAGE + "/flags")
                .route("GET", MESSAGE + "/headers")
                .route("GET", MESSAGE + "/raw")
                .route("GET,POST", MESSAGE + "/read")
                .exempt(WEBHOOK)
                .key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow("cio-imap", 240, Duration.ofMinutes(1)).build())
                .message("Rate limit on calls to IMAP reached: 240 calls per user per minute")
                .override(OverrideKind.FIXED)
                .source(Sources.CONTEXT_IO, "cio-imap")
                .build();
    }

    static Rule initialUsers() {
        return Rule.named("cio-users")
                .route(USER)
                .route(USER + "/**")
                .key(DEVELOPER)
                .exempt(WEBHOOK)
                .member(KeyPart.pathVariable("id"))
                .limit(Limit.cardinality("cio-users", 100).build())
                .message("Initial user limit reached: 100 users until the privacy policy is verified")
                .override(OverrideKind.LIFTED_WHEN_VERIFIED)
                .source(Sources.CONTEXT_IO, "cio-users")
                .build();
    }
}
