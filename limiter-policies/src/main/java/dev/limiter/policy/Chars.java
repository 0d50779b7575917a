package dev.limiter.policy;

/** Allocation-free comparisons of {@link CharSequence}s; stateless. */
final class Chars {
    /** {@code TOKEN[c]}: whether ASCII {@code c} is a {@code tchar}. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TOKEN[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }

    private Chars() {
    }

    static boolean equals(CharSequence a, CharSequence b) {
        if (a instanceof String) {
            return ((String) a).contentEquals(b);
        }
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsIgnoreCase(CharSequence a, CharSequence b) {
        int n = a.length();
        return n == b.length() && regionEqualsIgnoreCase(a, 0, n, b);
    }

    /** @return whether {@code s[from, to)} equals {@code b}, ignoring ASCII case */
    static boolean regionEqualsIgnoreCase(CharSequence s, int from, int to, CharSequence b) {
        if (to - from != b.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char x = s.charAt(i);
            char y = b.charAt(i - from);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code s[from, to)} equals {@code b} exactly */
    static boolean regionEquals(CharSequence s, int from, int to, String b) {
        if (to - from != b.length()) {
            return false;
        }
        if (s instanceof String) {
            return ((String) s).regionMatches(from, b, 0, to - from);
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != b.charAt(i - from)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the media type of a Content-Type value (before ';', trimmed) is {@code type} */
    static boolean mediaTypeIs(CharSequence v, String type) {
        int from = 0;
        int to = v.length();
        for (int i = 0; i < to; i++) {
            if (v.charAt(i) == ';') {
                to = i;
                break;
            }
        }
        while (from < to && v.charAt(from) == ' ') {
            from++;
        }
        while (to > from && v.charAt(to - 1) == ' ') {
            to--;
        }
        return regionEqualsIgnoreCase(v, from, to, type);
    }

    /** @return whether {@code c} is an RFC 9110 {@code tchar} (a method or auth-scheme character) */
    static boolean isTokenChar(char c) {
        return c < 128 && TOKEN[c];
    }

    /** @return whether {@code c} is optional whitespace (SP or HTAB) */
    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** @return {@code s} with ASCII letters in lower case (other characters, and the length, unchanged) */
    static String lowerAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            b.append(lower(s.charAt(i)));
        }
        return b.toString();
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
