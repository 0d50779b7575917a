package dev.limiter.policy;

import java.util.Objects;

/**
 * An immutable predicate on a request's header or attribute, such as "Content-Type is
 * multipart/form-data" or "attribute kind is received-webhook"; evaluated without allocating.
 *
 * <p>Header names compare case-insensitively (as HTTP says); attribute names exactly. Values
 * compare case-insensitively for {@link On#mediaType} (parameters after {@code ;} are ignored)
 * and exactly for {@link On#is}.
 */
public final class Condition {
    /** Where the tested value comes from. */
    public enum Source { HEADER, ATTRIBUTE }

    /** How the value is tested. */
    public enum Test { PRESENT, EQUALS, MEDIA_TYPE }

    private final Source source;
    private final String name;
    private final Test test;
    private final String value;
    /** The name as looked up: a header's in ASCII lower case (header names are case-insensitive), an attribute's as given. */
    private final String lookupName;

    private Condition(Source source, String name, Test test, String value) {
        this.source = source;
        this.name = name;
        this.lookupName = source == Source.HEADER ? Chars.lowerAscii(name).intern() : name;
        this.test = test;
        this.value = value;
    }

    /** Starts a condition on the header {@code name}. */
    public static On header(String name) {
        return new On(Source.HEADER, name);
    }

    /** Starts a condition on the request attribute {@code name} (set by the gateway, for example after authentication). */
    public static On attribute(String name) {
        return new On(Source.ATTRIBUTE, name);
    }

    /** Shorthand for {@code header("Content-Type").mediaType(type)}. */
    public static Condition contentType(String type) {
        return header("Content-Type").mediaType(type);
    }

    /** @return where the value comes from */
    public Source source() {
        return source;
    }

    /** @return the header or attribute name */
    public String name() {
        return name;
    }

    /** @return the test */
    public Test test() {
        return test;
    }

    /** @return the expected value, or null for {@link Test#PRESENT} */
    public String value() {
        return value;
    }

    /** @return whether {@code request} satisfies this condition */
    public boolean test(RequestView request) {
        CharSequence v = source == Source.HEADER ? request.header(lookupName) : request.attribute(lookupName);
        if (v == null) {
            return false;
        }
        switch (test) {
            case PRESENT:
                return true;
            case EQUALS:
                return Chars.equals(v, value);
            default:
                return Chars.mediaTypeIs(v, value);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Condition)) {
            return false;
        }
        Condition c = (Condition) o;
        return source == c.source && test == c.test && name.equals(c.name) && Objects.equals(value, c.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, name, test, value);
    }

    @Override
    public String toString() {
        String what = (source == Source.HEADER ? "header " : "attribute ") + name;
        switch (test) {
            case PRESENT:
                return what + " present";
            case EQUALS:
                return what + " = '" + value + "'";
            default:
                return what + " media type " + value;
        }
    }

    /** The second step of building a condition: choose the test. */
    public static final class On {
        private final Source source;
        private final String name;

        private On(Source source, String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("condition: " + source.name().toLowerCase(java.util.Locale.ROOT)
                        + " name must not be blank");
            }
            this.source = source;
            this.name = name;
        }

        /** @return a condition true when the header or attribute is present */
        public Condition present() {
            return new Condition(source, name, Test.PRESENT, null);
        }

        /** @return a condition true when the value equals {@code value} exactly */
        public Condition is(String value) {
            return new Condition(source, name, Test.EQUALS, Objects.requireNonNull(value, "value"));
        }

        /**
         * @return a condition true when the value's media type (before any {@code ;}) equals
         *     {@code type}, ignoring case and surrounding spaces
         */
        public Condition mediaType(String type) {
            Objects.requireNonNull(type, "type");
            if (type.indexOf('/') <= 0 || type.indexOf(';') >= 0) {
                throw new IllegalArgumentException("condition on " + name + ": '" + type
                        + "' is not a media type like 'multipart/form-data'");
            }
            return new Condition(source, name, Test.MEDIA_TYPE, type);
        }
    }
}
