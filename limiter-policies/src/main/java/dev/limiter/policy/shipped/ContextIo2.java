package dev.limiter.policy.shipped;

import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;

import java.time.Duration;

/**
 * The Context.IO 2.0 endpoints ({@value Sources#CONTEXT_IO_2}) under the Context.IO limits
 * ({@value Sources#CONTEXT_IO}): every 2.0 call counts against the developer's 5,000 calls per
 * hour, and the on-demand endpoints that open an IMAP connection (message body, source, flags
 * read and write, headers, and the copy/move {@code POST accounts/{id}/messages/{message_id}})
 * also count against 240 IMAP calls per account per minute, which cannot be lifted.
 *
 * <p>The listing says only GET body, source, flags and headers open an IMAP connection; this
 * policy also counts {@code POST .../flags} (a flag write) and the copy/move
 * {@code POST .../messages/{message_id}}, by choice: both change the mailbox on the IMAP server,
 * which no cache can answer, so they cost at least what a read does. A gateway serving Lite and
 * 2.0 together uses {@link ContextIo#policy()}, where one developer's 5,000 calls an hour are
 * shared by both.
 *
 * <p>Paths are the listing's base URLs without the doubled slashes:
 * {@code /2.0/accounts/{id}/...}. The developer is attribute {@value Attributes#APPLICATION}.
 */
public final class ContextIo2 {
    /** Version of the shipped policy. */
    public static final String VERSION = "2018-06";

    private static final String ACCOUNT = "/2.0/accounts/{id}";
    private static final String MESSAGE = ACCOUNT + "/messages/{message_id}";
    private static final Condition WEBHOOK = Condition.attribute(Attributes.KIND).is(Attributes.RECEIVED_WEBHOOK);

    private ContextIo2() {
    }

    /** @return the policy */
    public static Policy policy() {
        return Policy.named("context-io-2.0").version(VERSION).errorType("rate_limit_error")
                .rule(apiCalls())
                .rule(imapCalls())
                .build();
    }

    static Rule apiCalls() {
        return Rule.named("cio2-api")
                .route("GET", ACCOUNT + "/contacts/{email}/messages")
                .route("GET", ACCOUNT + "/messages")
                .route("GET,POST", MESSAGE)
                .route("GET", MESSAGE + "/body")
                .route("GET", MESSAGE + "/source")
                .route("GET,POST", MESSAGE + "/flags")
                .route("GET", MESSAGE + "/headers")
                .route("GET", MESSAGE + "/thread")
                .route("/2.0/**")
                .exempt(WEBHOOK)
                .key(ContextIoLite.DEVELOPER)
                .limit(Limit.fixedWindow("cio2-api", 5_000, Duration.ofHours(1)).build())
                .message("Rate limit on overall calls to the API reached: 5,000 calls per hour")
                .override(OverrideKind.RAISABLE)
                .source(Sources.CONTEXT_IO_2, "cio2-endpoints")
                .source(Sources.CONTEXT_IO, "cio-api")
                .build();
    }

    static Rule imapCalls() {
        return Rule.named("cio2-imap")
                .route("GET", MESSAGE + "/body")
                .route("GET", MESSAGE + "/source")
                .route("GET,POST", MESSAGE + "/flags")
                .route("GET", MESSAGE + "/headers")
                .route("POST", MESSAGE)
                .exempt(WEBHOOK)
                .key(KeyPart.pathVariable("id"))
                .limit(Limit.fixedWindow("cio2-imap", 240, Duration.ofMinutes(1)).build())
                .message("Rate limit on calls to IMAP reached: 240 calls per account per minute")
                .override(OverrideKind.FIXED)
                .source(Sources.CONTEXT_IO_2, "cio2-imap")
                .source(Sources.CONTEXT_IO, "cio-imap")
                .build();
    }
}
