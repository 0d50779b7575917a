package dev.limiter.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A simple immutable {@link RequestView}, for tests, simulations and gateways without a view of
 * their own; its accessors allocate nothing.
 *
 * <pre>{@code
 * RequestView r = Request.of("POST", "/v3/grants/g1/messages/send")
 *         .header("Content-Type", "multipart/form-data; boundary=x").build();
 * }</pre>
 */
public final class Request implements RequestView {
    private final String method;
    private final String path;
    private final Map<String, String> headers;
    /**
     * The headers again, flat: name, value, name, value... with each name in lower case and
     * interned, so that a lookup scans one small array (and policies, which ask with interned
     * lower-case names, find theirs by identity) instead of walking a tree.
     */
    private final String[] headerPairs;
    private final String clientAddress;
    private final Map<String, String> attributes;

    private Request(Builder b) {
        this.method = b.method;
        this.path = b.path;
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(b.headers);
        this.headers = Collections.unmodifiableMap(h);
        this.headerPairs = new String[2 * h.size()];
        int i = 0;
        for (Map.Entry<String, String> e : h.entrySet()) {
            headerPairs[i++] = e.getKey().intern();
            headerPairs[i++] = e.getValue();
        }
        this.clientAddress = b.clientAddress;
        this.attributes = Map.copyOf(b.attributes);
    }

    /**
     * Starts a request with {@code method} and {@code path} (the request target as received,
     * optionally with {@code ?query}); matching canonicalises both.
     */
    public static Builder of(String method, String path) {
        return new Builder(method, path);
    }

    @Override
    public CharSequence method() {
        return method;
    }

    @Override
    public CharSequence path() {
        return path;
    }

    @Override
    public CharSequence header(String name) {
        Objects.requireNonNull(name, "name");
        String[] pairs = headerPairs;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] == name) { // policies ask with interned lower-case names
                return pairs[i + 1];
            }
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) { // the equality of the map's case-insensitive order
                return pairs[i + 1];
            }
        }
        return null;
    }

    @Override
    public CharSequence clientAddress() {
        return clientAddress;
    }

    @Override
    public CharSequence attribute(String name) {
        return attributes.get(name);
    }

    @Override
    public String toString() {
        return method + " " + path + (headers.isEmpty() ? "" : " " + headers)
                + (attributes.isEmpty() ? "" : " " + attributes)
                + (clientAddress == null ? "" : " from " + clientAddress);
    }

    /** Collects a request's parts; not thread-safe. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private String clientAddress;

        private Builder(String method, String path) {
            this.method = Objects.requireNonNull(method, "method");
            this.path = Objects.requireNonNull(path, "path");
        }

        /**
         * Sets a header; names are case-insensitive. A null value means the header is absent (and
         * removes one set before), so a gateway can pass what its server returned as is.
         */
        public Builder header(String name, String value) {
            String key = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
            if (value == null) {
                headers.remove(key);
            } else {
                headers.put(key, value);
            }
            return this;
        }

        /** Sets a gateway attribute, such as the authenticated {@code application}; a null value means absent. */
        public Builder attribute(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (value == null) {
                attributes.remove(name);
            } else {
                attributes.put(name, value);
            }
            return this;
        }

        /** Sets the client address; null means unknown. */
        public Builder clientAddress(String address) {
            this.clientAddress = address;
            return this;
        }

        /** @return the request */
        public Request build() {
            return new Request(this);
        }
    }
}
