package dev.limiter.policy;

import java.util.Objects;

/**
 * One immutable part of a rule's key: where a request's value for "application", "grant",
 * "account", "user", "endpoint" or "client IP" comes from, and what happens when the request has
 * no such value.
 *
 * <p>A rule's key is the concatenation of its parts, so {@code [attribute(application),
 * endpoint(1)]} counts each application's calls to each endpoint separately. Values are read from
 * the request's canonical form: path variables decoded, header values without surrounding
 * whitespace, and the auth-scheme of {@code Authorization} and {@code Proxy-Authorization} in lower
 * case (RFC 9110 §11.1: {@code bearer K} is {@code Bearer K}).
 *
 * <p><b>Missing values.</b> A header, attribute, query parameter or client address may be absent
 * (or empty). Then, in order: the {@link #orElse(KeyPart) fallback} is used if there is one; else
 * the {@link #orShared(String) named shared bucket} if one was chosen; else the request is
 * refused with {@link #refuseStatus()} (400 unless {@link #orRefuse(int, String)} says otherwise)
 * and nothing is counted. A missing part never silently becomes an empty key. Values taken from a
 * fallback, a substitute or a shared bucket are kept apart from each other and from the primary
 * value, so a client address never shares a bucket with an equal-looking API key.
 */
public final class KeyPart {
    /** Where the value comes from. */
    public enum Source {
        /** A variable of the matched path template (never missing). */
        PATH_VARIABLE,
        /** A request header. */
        HEADER,
        /** A gateway-supplied request attribute. */
        ATTRIBUTE,
        /** The client's address. */
        CLIENT_ADDRESS,
        /** A query parameter, percent-decoded ({@code +} is a space); the first occurrence counts. */
        QUERY_PARAMETER,
        /** The method and the first {@code n} path segments of the request (never missing). */
        ENDPOINT,
        /** The method and the matched path template (never missing). */
        ROUTE,
        /** One named bucket shared, on purpose, by every request (never missing). */
        SHARED
    }

    /** The longest key value accepted, in chars; a longer one is refused with 400. */
    public static final int MAX_VALUE_LENGTH = 1_024;
    /** The most fallbacks and substitutes one part may nest. */
    static final int MAX_DEPTH = 8;

    private final Source source;
    private final String name;
    private final int segments;
    private final String substituted;
    private final KeyPart substitute;
    private final KeyPart fallback;
    private final String sharedBucket;
    private final int refuseStatus;
    private final String refuseMessage;
    /** A header part's name in ASCII lower case (the spelling a request view stores, so that its lookup is exact). */
    private final String headerName;
    /** Whether this is an {@code Authorization} or {@code Proxy-Authorization} header part. */
    private final boolean credentials;

    private KeyPart(Source source, String name, int segments, String substituted, KeyPart substitute,
                    KeyPart fallback, String sharedBucket, int refuseStatus, String refuseMessage) {
        this.source = source;
        // interned like the route's variable names, so that a matcher finds the variable by identity
        this.name = source == Source.PATH_VARIABLE ? name.intern() : name;
        this.segments = segments;
        this.substituted = substituted;
        this.substitute = substitute;
        this.fallback = fallback;
        this.sharedBucket = sharedBucket;
        this.refuseStatus = refuseStatus;
        this.refuseMessage = refuseMessage;
        this.headerName = source == Source.HEADER ? Chars.lowerAscii(name).intern() : null;
        this.credentials = source == Source.HEADER && KeyReader.isCredentials(name);
        if (depth() > MAX_DEPTH) {
            throw new IllegalArgumentException("key part " + source + " nests more than " + MAX_DEPTH
                    + " fallbacks and substitutes");
        }
    }

    private static KeyPart of(Source source, String name, int segments) {
        return new KeyPart(source, name, segments, null, null, null, null, 400, null);
    }

    /** The value of path variable {@code name}; every route of the rule must declare it. */
    public static KeyPart pathVariable(String name) {
        return of(Source.PATH_VARIABLE, requireName(name), 0);
    }

    /** The value of header {@code name}, for example {@code Authorization} for an API key or access token. */
    public static KeyPart header(String name) {
        return of(Source.HEADER, requireName(name), 0);
    }

    /** The value of attribute {@code name}, for example the authenticated {@code application}. */
    public static KeyPart attribute(String name) {
        return of(Source.ATTRIBUTE, requireName(name), 0);
    }

    /** The value of query parameter {@code name}, for example {@code client_id}. */
    public static KeyPart queryParameter(String name) {
        return of(Source.QUERY_PARAMETER, requireName(name), 0);
    }

    /** The client's address (per-IP limits). */
    public static KeyPart clientAddress() {
        return of(Source.CLIENT_ADDRESS, null, 0);
    }

    /**
     * The endpoint as the method and the first {@code segments} segments of the canonical path, in
     * lower case: with 1, {@code GET /messages}, {@code GET /Messages/abc} are both {@code GET /messages}.
     */
    public static KeyPart endpoint(int segments) {
        if (segments < 1) {
            throw new IllegalArgumentException("endpoint key: segments must be at least 1, was " + segments);
        }
        return of(Source.ENDPOINT, null, segments);
    }

    /** The endpoint as the method and the matched template, for example {@code GET /a/{client_id}/ip_addresses}. */
    public static KeyPart route() {
        return of(Source.ROUTE, null, 0);
    }

    /**
     * One bucket called {@code bucket} shared by every request the rule applies to: a rule with no
     * other key part says so with this, on purpose (a project-wide quota, say).
     */
    public static KeyPart shared(String bucket) {
        return of(Source.SHARED, requireName(bucket), 0);
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key part name must not be blank");
        }
        return name;
    }

    /**
     * @return this part, using {@code other} when this one's value is missing (after any fallback
     *     already set); {@code other}'s own missing-value choice then applies
     */
    public KeyPart orElse(KeyPart other) {
        Objects.requireNonNull(other, "fallback");
        if (!canBeMissing()) {
            throw new IllegalArgumentException("a " + source + " key part is never missing; it needs no fallback");
        }
        KeyPart f = fallback == null ? other : fallback.orElse(other);
        return new KeyPart(source, name, segments, substituted, substitute, f, null, 400, null);
    }

    /** @return this part, counting requests without a value (and without a fallback) in the bucket {@code bucket} */
    public KeyPart orShared(String bucket) {
        requireName(bucket);
        if (fallback != null) {
            return withFallback(fallback.orShared(bucket));
        }
        requireMissable();
        return new KeyPart(source, name, segments, substituted, substitute, null, bucket, 400, null);
    }

    /**
     * @return this part, refusing requests without a value (and without a fallback) with
     *     {@code status} (400 to 499, typically 401 for missing credentials) and {@code message}
     */
    public KeyPart orRefuse(int status, String message) {
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("a refusal is a 4xx status, was " + status);
        }
        Objects.requireNonNull(message, "message");
        if (fallback != null) {
            return withFallback(fallback.orRefuse(status, message));
        }
        requireMissable();
        return new KeyPart(source, name, segments, substituted, substitute, null, null, status, message);
    }

    /**
     * @return this part, taking {@code instead}'s value when this one's value is exactly
     *     {@code value}: Nylas' {@code /v3/grants/me/...} names the grant of the access token, so
     *     {@code pathVariable("grant_id").substitute("me", header("Authorization"))}
     */
    public KeyPart substitute(String value, KeyPart instead) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(instead, "instead");
        return new KeyPart(source, name, segments, value, instead, fallback, sharedBucket, refuseStatus, refuseMessage);
    }

    private KeyPart withFallback(KeyPart f) {
        return new KeyPart(source, name, segments, substituted, substitute, f, null, 400, null);
    }

    private void requireMissable() {
        if (!canBeMissing()) {
            throw new IllegalArgumentException("a " + source + " key part is never missing");
        }
    }

    /** @return whether a request can lack this part's value */
    public boolean canBeMissing() {
        return source == Source.HEADER || source == Source.ATTRIBUTE || source == Source.CLIENT_ADDRESS
                || source == Source.QUERY_PARAMETER;
    }

    private int depth() {
        int d = 0;
        if (fallback != null) {
            d = Math.max(d, 1 + fallback.depth());
        }
        if (substitute != null) {
            d = Math.max(d, 1 + substitute.depth());
        }
        return d;
    }

    /** @return the source */
    public Source source() {
        return source;
    }

    /** @return the variable, header, attribute, parameter or bucket name; null for other sources */
    public String name() {
        return name;
    }

    /** @return a header part's name in ASCII lower case; null for other sources */
    String headerName() {
        return headerName;
    }

    /** @return whether this is an {@code Authorization} or {@code Proxy-Authorization} header part */
    boolean credentials() {
        return credentials;
    }

    /** @return the path segments of an {@link Source#ENDPOINT} part; 0 otherwise */
    public int segments() {
        return segments;
    }

    /** @return the part used when this one's value is missing; null when none */
    public KeyPart fallback() {
        return fallback;
    }

    /** @return the shared bucket of requests without a value; null when they are refused (or a fallback decides) */
    public String sharedBucket() {
        return sharedBucket;
    }

    /** @return the status of a refusal for a missing value (400 by default) */
    public int refuseStatus() {
        return refuseStatus;
    }

    /** @return the message of a refusal for a missing value; null for the default message */
    public String refuseMessage() {
        return refuseMessage;
    }

    /** @return the value that {@link #substitute()} replaces; null when none */
    public String substituted() {
        return substituted;
    }

    /** @return the part whose value replaces {@link #substituted()}; null when none */
    public KeyPart substitute() {
        return substitute;
    }

    /** @return the default message of a refusal for a missing value of this part */
    String missingMessage() {
        return refuseMessage != null ? refuseMessage : "the request has no " + describe() + ", which the rate limit is keyed by";
    }

    private String describe() {
        switch (source) {
            case HEADER:
                return name + " header";
            case ATTRIBUTE:
                return name + " attribute";
            case QUERY_PARAMETER:
                return name + " query parameter";
            case CLIENT_ADDRESS:
                return "client address";
            default:
                return toString();
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KeyPart)) {
            return false;
        }
        KeyPart k = (KeyPart) o;
        return source == k.source && segments == k.segments && refuseStatus == k.refuseStatus
                && Objects.equals(name, k.name) && Objects.equals(substituted, k.substituted)
                && Objects.equals(substitute, k.substitute) && Objects.equals(fallback, k.fallback)
                && Objects.equals(sharedBucket, k.sharedBucket) && Objects.equals(refuseMessage, k.refuseMessage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, name, segments, substituted, substitute, fallback, sharedBucket, refuseStatus,
                refuseMessage);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(base());
        if (substitute != null) {
            sb.append(" ('").append(substituted).append("' means ").append(substitute).append(')');
        }
        if (fallback != null) {
            sb.append(" or else ").append(fallback);
        } else if (sharedBucket != null) {
            sb.append(" or shared '").append(sharedBucket).append('\'');
        } else if (canBeMissing() && (refuseStatus != 400 || refuseMessage != null)) {
            sb.append(" or refuse ").append(refuseStatus);
        }
        return sb.toString();
    }

    private String base() {
        switch (source) {
            case PATH_VARIABLE:
                return "{" + name + "}";
            case HEADER:
                return "header " + name;
            case ATTRIBUTE:
                return "attribute " + name;
            case QUERY_PARAMETER:
                return "query " + name;
            case CLIENT_ADDRESS:
                return "client address";
            case ENDPOINT:
                return "endpoint(" + segments + ")";
            case SHARED:
                return "shared '" + name + "'";
            default:
                return "route";
        }
    }
}
