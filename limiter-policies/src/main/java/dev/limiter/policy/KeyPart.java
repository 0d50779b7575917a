package dev.limiter.policy;

import java.util.Objects;

/**
 * One immutable part of a rule's key: where a request's value for "application", "grant",
 * "account", "user", "endpoint" or "client IP" comes from.
 *
 * <p>A rule's key is the concatenation of its parts, so {@code [attribute(application),
 * endpoint(1)]} counts each application's calls to each endpoint separately. A part whose value
 * is absent from a request (no such header, say) contributes an empty value: every such request
 * shares one key, so an unidentified caller is limited rather than let through.
 */
public final class KeyPart {
    /** Where the value comes from. */
    public enum Source {
        /** A variable of the matched path template. */
        PATH_VARIABLE,
        /** A request header. */
        HEADER,
        /** A gateway-supplied request attribute. */
        ATTRIBUTE,
        /** The client's address. */
        CLIENT_ADDRESS,
        /** The method and the first {@code n} path segments of the request. */
        ENDPOINT,
        /** The method and the matched path template. */
        ROUTE
    }

    private final Source source;
    private final String name;
    private final int segments;

    private KeyPart(Source source, String name, int segments) {
        this.source = source;
        this.name = name;
        this.segments = segments;
    }

    /** The value of path variable {@code name}; every route of the rule must declare it. */
    public static KeyPart pathVariable(String name) {
        return new KeyPart(Source.PATH_VARIABLE, requireName(name), 0);
    }

    /** The value of header {@code name}, for example {@code Authorization} for an API key or access token. */
    public static KeyPart header(String name) {
        return new KeyPart(Source.HEADER, requireName(name), 0);
    }

    /** The value of attribute {@code name}, for example the authenticated {@code application}. */
    public static KeyPart attribute(String name) {
        return new KeyPart(Source.ATTRIBUTE, requireName(name), 0);
    }

    /** The client's address (per-IP limits). */
    public static KeyPart clientAddress() {
        return new KeyPart(Source.CLIENT_ADDRESS, null, 0);
    }

    /**
     * The endpoint as the method and the first {@code segments} segments of the request path: with
     * 1, {@code GET /messages} and {@code GET /messages/abc} are both {@code GET /messages}.
     */
    public static KeyPart endpoint(int segments) {
        if (segments < 1) {
            throw new IllegalArgumentException("endpoint key: segments must be at least 1, was " + segments);
        }
        return new KeyPart(Source.ENDPOINT, null, segments);
    }

    /** The endpoint as the method and the matched template, for example {@code GET /a/{client_id}/ip_addresses}. */
    public static KeyPart route() {
        return new KeyPart(Source.ROUTE, null, 0);
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key part name must not be blank");
        }
        return name;
    }

    /** @return the source */
    public Source source() {
        return source;
    }

    /** @return the variable, header or attribute name; null for other sources */
    public String name() {
        return name;
    }

    /** @return the path segments of an {@link Source#ENDPOINT} part; 0 otherwise */
    public int segments() {
        return segments;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KeyPart)) {
            return false;
        }
        KeyPart k = (KeyPart) o;
        return source == k.source && segments == k.segments && Objects.equals(name, k.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, name, segments);
    }

    @Override
    public String toString() {
        switch (source) {
            case PATH_VARIABLE:
                return "{" + name + "}";
            case HEADER:
                return "header " + name;
            case ATTRIBUTE:
                return "attribute " + name;
            case CLIENT_ADDRESS:
                return "client address";
            case ENDPOINT:
                return "endpoint(" + segments + ")";
            default:
                return "route";
        }
    }
}
