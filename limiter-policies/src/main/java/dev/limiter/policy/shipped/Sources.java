package dev.limiter.policy.shipped;

/** The source documents the shipped policies cite, by the file names of the seed checklist. */
public final class Sources {
    /** The Context.IO rate-limit page. */
    public static final String CONTEXT_IO = "000_4ae1f4ec42fdf903.txt";
    /** The Nylas rate-limit page (v3, v2 and the upstream providers). */
    public static final String NYLAS = "001_0255217927bc240f.txt";
    /** The Context.IO 2.0 API listing. */
    public static final String CONTEXT_IO_2 = "002_b79b25bdadc80068.txt";

    /** Google's Gmail API usage limits page: the per-method cost table in quota units. */
    public static final String GMAIL_QUOTA = "https://developers.google.com/workspace/gmail/api/reference/quota";
    /** Microsoft Graph's message actions that send: send, reply, replyAll, forward. */
    public static final String GRAPH_MESSAGE = "https://learn.microsoft.com/graph/api/resources/message";

    private Sources() {
    }
}
