package dev.limiter.policy;

/**
 * What a policy needs to know about one incoming request: method, path, headers, client address
 * and gateway-supplied attributes; a gateway adapts its own request type to this view.
 *
 * <p>Every method may return a view over the gateway's buffers; the evaluator reads them only
 * during {@code evaluate} and keeps no reference after it returns. Implementations need not be
 * thread-safe: one request is evaluated by one thread.
 */
public interface RequestView {

    /** @return the HTTP method as received, for example {@code GET} (compared case-insensitively) */
    CharSequence method();

    /**
     * @return the request target as received: the path, still percent-encoded, optionally followed
     *     by {@code ?query} (read only by query-parameter key parts)
     */
    CharSequence path();

    /**
     * @return the value of header {@code name} (compared case-insensitively), or null when absent;
     *     policies ask with interned names in ASCII lower case, so a view that stores them so may
     *     try an identity or exact match first
     */
    CharSequence header(String name);

    /** @return the client's address (for example {@code 203.0.113.7}), or null when unknown */
    CharSequence clientAddress();

    /**
     * @return the attribute {@code name} set by the gateway (for example the authenticated
     *     {@code application}), or null when absent
     */
    CharSequence attribute(String name);
}
