package dev.limiter.policy.shipped;

/**
 * The request attributes the shipped policies read, which a gateway (or an API client) sets on
 * its {@link dev.limiter.policy.RequestView}.
 */
public final class Attributes {
    /** The authenticated application (Context.IO developer, Nylas v2 application). */
    public static final String APPLICATION = "application";
    /** The mailbox owner an API client acts for (upstream provider pacing). */
    public static final String USER = "user";
    /** What kind of event the request is; see {@link #RECEIVED_WEBHOOK}. */
    public static final String KIND = "kind";
    /** The {@link #KIND} of a webhook delivery, which Context.IO does not count. */
    public static final String RECEIVED_WEBHOOK = "received-webhook";

    private Attributes() {
    }
}
