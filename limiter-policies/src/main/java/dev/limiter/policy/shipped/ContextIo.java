package dev.limiter.policy.shipped;

import dev.limiter.policy.Policy;
import dev.limiter.policy.Route;
import dev.limiter.policy.Rule;

/**
 * Context.IO Lite and 2.0 served together ({@value Sources#CONTEXT_IO},
 * {@value Sources#CONTEXT_IO_2}): the 5,000 API calls an hour are the developer's, whichever API
 * the calls go to, so one rule counts both; the IMAP limits (per Lite user, per 2.0 account) and
 * the initial user limit are those of {@link ContextIoLite} and {@link ContextIo2}.
 */
public final class ContextIo {
    /** Version of the shipped policy. */
    public static final String VERSION = ContextIoLite.VERSION;

    private ContextIo() {
    }

    /** @return the policy */
    public static Policy policy() {
        Rule.Builder api = ContextIoLite.apiCalls().toBuilder();
        for (Route r : ContextIo2.apiCalls().routes()) {
            api.route(r.methods().isEmpty() ? "*" : String.join(",", r.methods()), r.template().toString());
        }
        return Policy.named("context-io").version(VERSION).errorType("rate_limit_error")
                .rule(api.source(Sources.CONTEXT_IO_2, "cio2-endpoints").build())
                .rule(ContextIoLite.imapCalls())
                .rule(ContextIoLite.initialUsers())
                .rule(ContextIo2.imapCalls())
                .build();
    }
}
