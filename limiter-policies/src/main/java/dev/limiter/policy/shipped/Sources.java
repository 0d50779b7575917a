package dev.limiter.policy.shipped;

/** The source documents the shipped policies cite, by the file names of the seed checklist. */
public final class Sources {
    /** The Context.IO rate-limit page. */
    public static final String CONTEXT_IO = "000_4ae1f4ec42fdf903.txt";
    /** The Nylas rate-limit page (v3, v2 and the upstream providers). */
    public static final String NYLAS = "001_0255217927bc240f.txt";
    /** The Context.IO 2.0 API listing. */
    public static final String CONTEXT_IO_2 = "002_b79b25bdadc80068.txt";

    private Sources() {
    }
}
