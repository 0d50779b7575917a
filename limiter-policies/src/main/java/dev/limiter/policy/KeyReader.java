package dev.limiter.policy;

import java.util.Objects;

/**
 * Reads a {@link KeyPart}'s value from a request's canonical form into a key buffer, following
 * the part's substitute and fallbacks, allocating nothing; stateless.
 *
 * <p>Encoding: each value is written as one tag char (which alternative of the part supplied it:
 * 1 for the part itself, {@code 2t} for the fallback and {@code 2t+1} for the substitute of the
 * alternative tagged {@code t}, 0 for a shared bucket), then its length as one char, then its
 * characters; so values from different sources or of different splits never produce the same key.
 */
final class KeyReader {
    static final String TOO_LONG = "a value the rate limit is keyed by is longer than " + KeyPart.MAX_VALUE_LENGTH
            + " characters";
    static final String BAD_QUERY = "the query has a malformed percent escape";

    private KeyReader() {
    }

    /**
     * Appends {@code part}'s value for the request matched in {@code m} through route
     * {@code routeId}.
     *
     * @return whether it could; when not, the refusal is recorded in {@code m}
     */
    static boolean read(KeyPart part, int tag, RouteMatcher matcher, int routeId, RequestView request, MatchResult m,
                        Rule rule, KeyBuffer key) {
        int mark = key.length();
        key.append((char) tag).append('\0');
        int from = key.length();
        int read = value(part, matcher, routeId, request, m, key);
        if (read != QueryParameter.OK || key.length() - from > KeyPart.MAX_VALUE_LENGTH) {
            key.truncate(mark);
            m.refuse(400, read == QueryParameter.MALFORMED ? BAD_QUERY : TOO_LONG, rule);
            return false;
        }
        int n = key.length() - from;
        if (n > 0) {
            if (part.substitute() != null && Chars.regionEquals(key, from, key.length(), part.substituted())) {
                key.truncate(mark);
                return read(part.substitute(), tag * 2 + 1, matcher, routeId, request, m, rule, key);
            }
            key.setCharAt(from - 1, (char) n);
            return true;
        }
        key.truncate(mark);
        if (part.fallback() != null) {
            return read(part.fallback(), tag * 2, matcher, routeId, request, m, rule, key);
        }
        if (part.sharedBucket() != null) {
            key.append('\0').appendPart(part.sharedBucket(), 0, part.sharedBucket().length());
            return true;
        }
        m.refuse(part.refuseStatus(), part.missingMessage(), rule);
        return false;
    }

    /**
     * Appends the value; returns {@link QueryParameter#OK}, or {@link QueryParameter#TOO_LONG}
     * without appending a value whose raw form is already too long (so that no key buffer grows
     * with the input), or {@link QueryParameter#MALFORMED} for a malformed query.
     */
    private static int value(KeyPart part, RouteMatcher matcher, int routeId, RequestView request, MatchResult m,
                                 KeyBuffer key) {
        switch (part.source()) {
            case PATH_VARIABLE: {
                int seg = matcher.variableSegment(routeId, part.name());
                key.append(m.path(), m.segmentStart(seg), m.segmentEnd(seg));
                return QueryParameter.OK;
            }
            case HEADER: {
                CharSequence v = request.header(part.headerName());
                if (tooLong(v)) {
                    return QueryParameter.TOO_LONG;
                }
                appendHeader(part.credentials(), v, key);
                return QueryParameter.OK;
            }
            default: // kept apart so that the common cases above stay small enough to inline
                return otherValue(part, matcher, routeId, request, m, key);
        }
    }

    /** As {@link #value} for the sources other than path variables and headers. */
    private static int otherValue(KeyPart part, RouteMatcher matcher, int routeId, RequestView request,
                                  MatchResult m, KeyBuffer key) {
        switch (part.source()) {
            case ATTRIBUTE:
                return appendRaw(request.attribute(part.name()), key);
            case CLIENT_ADDRESS:
                return appendRaw(request.clientAddress(), key);
            case QUERY_PARAMETER:
                return QueryParameter.append(m.rawPath(), part.name(), key);
            case ENDPOINT: {
                CharSequence method = m.method();
                key.append(method, 0, method.length()).append(' ');
                int n = Math.min(part.segments(), m.segmentCount());
                for (int s = 0; s < n; s++) {
                    key.append('/');
                    for (int i = m.segmentStart(s); i < m.segmentEnd(s); i++) {
                        key.append(Chars.lower(m.path().charAt(i)));
                    }
                }
                return QueryParameter.OK;
            }
            case ROUTE: {
                CharSequence method = m.method();
                String t = matcher.templateText(routeId);
                key.append(method, 0, method.length()).append(' ').append(t, 0, t.length());
                return QueryParameter.OK;
            }
            default: // SHARED
                key.append(part.name(), 0, part.name().length());
                return QueryParameter.OK;
        }
    }

    private static boolean tooLong(CharSequence v) {
        return v != null && v.length() > KeyPart.MAX_VALUE_LENGTH;
    }

    private static int appendRaw(CharSequence v, KeyBuffer key) {
        if (tooLong(v)) {
            return QueryParameter.TOO_LONG;
        }
        if (v != null) {
            key.append(v, 0, v.length());
        }
        return QueryParameter.OK;
    }

    /**
     * Appends a header value without surrounding whitespace; for {@code Authorization} and
     * {@code Proxy-Authorization}, the auth-scheme in lower case and one space before the
     * credentials (RFC 9110 §11.4: the scheme is case-insensitive, whitespace around it is not
     * part of the credentials).
     */
    static void appendHeader(String name, CharSequence v, KeyBuffer key) {
        appendHeader(isCredentials(name), v, key);
    }

    /** @return whether header {@code name} carries credentials: {@code Authorization} or {@code Proxy-Authorization} */
    static boolean isCredentials(String name) {
        return Chars.equalsIgnoreCase(name, "Authorization") || Chars.equalsIgnoreCase(name, "Proxy-Authorization");
    }

    /** As {@link #appendHeader(String, CharSequence, KeyBuffer)}, told whether the header carries credentials. */
    static void appendHeader(boolean credentials, CharSequence v, KeyBuffer key) {
        if (v == null) {
            return;
        }
        int from = 0;
        int to = v.length();
        while (from < to && Chars.isWhitespace(v.charAt(from))) {
            from++;
        }
        while (to > from && Chars.isWhitespace(v.charAt(to - 1))) {
            to--;
        }
        if (!credentials) {
            key.append(v, from, to);
            return;
        }
        int i = from;
        while (i < to && !Chars.isWhitespace(v.charAt(i))) {
            i++;
        }
        key.appendLowerCase(v, from, i);
        while (i < to && Chars.isWhitespace(v.charAt(i))) {
            i++;
        }
        if (i < to) {
            key.append(' ').append(v, i, to);
        }
    }

    /** Encodes an operator's key values (lift, raise) as the matcher does for each part's own (primary) value. */
    static String operatorKey(Rule r, String... values) {
        if (values.length != r.key().size()) {
            throw new IllegalArgumentException("rule '" + r.name() + "' is keyed by " + r.key() + ": expected "
                    + r.key().size() + " key values, got " + values.length);
        }
        KeyBuffer k = new KeyBuffer();
        for (int i = 0; i < values.length; i++) {
            String v = Objects.requireNonNull(values[i], "key value");
            KeyPart part = r.key().get(i);
            KeyBuffer value = new KeyBuffer();
            if (part.source() == KeyPart.Source.HEADER) {
                KeyReader.appendHeader(part.name(), v, value);
            } else {
                value.append(v, 0, v.length());
            }
            k.append((char) 1).appendPart(value, 0, value.length());
        }
        return k.toString();
    }
}
