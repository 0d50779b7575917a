package dev.limiter.policy;

/**
 * Finds a query parameter in a raw request target and appends its decoded value, allocating
 * nothing; stateless. Names and values are percent-decoded and {@code +} is a space (HTML form
 * encoding, which servers apply to queries); the first occurrence of a name counts, so repeating
 * it cannot move a request to another bucket after the server has read the first one.
 */
final class QueryParameter {
    /** The value was appended, or is absent. */
    static final int OK = 0;
    /** The query has a malformed escape up to and including the parameter. */
    static final int MALFORMED = 1;
    /** The raw value is longer than three times {@link KeyPart#MAX_VALUE_LENGTH}: nothing was appended. */
    static final int TOO_LONG = 2;

    private QueryParameter() {
    }

    /**
     * Appends the value of parameter {@code name} of {@code target}'s query (nothing when absent).
     *
     * @return {@link #OK}, {@link #MALFORMED} or {@link #TOO_LONG}
     */
    static int append(CharSequence target, String name, KeyBuffer key) {
        if (target == null) {
            return OK;
        }
        int n = target.length();
        int q = 0;
        while (q < n && target.charAt(q) != '?') {
            if (target.charAt(q) == '#') {
                return OK;
            }
            q++;
        }
        int i = q + 1;
        while (i < n) {
            int end = i;
            while (end < n && target.charAt(end) != '&' && target.charAt(end) != '#') {
                end++;
            }
            int eq = i;
            while (eq < end && target.charAt(eq) != '=') {
                eq++;
            }
            int match = nameMatches(target, i, eq, name);
            if (match < 0) {
                return MALFORMED;
            }
            if (match == 1) {
                if (end - eq > 3 * KeyPart.MAX_VALUE_LENGTH) {
                    return TOO_LONG;
                }
                return eq >= end || decode(target, eq + 1, end, key) ? OK : MALFORMED;
            }
            if (end >= n || target.charAt(end) == '#') {
                return OK;
            }
            i = end + 1;
        }
        return OK;
    }

    /** @return 1 when the decoded {@code target[from, to)} is {@code name}, 0 when not, -1 when malformed */
    private static int nameMatches(CharSequence target, int from, int to, String name) {
        int k = 0;
        int i = from;
        while (i < to) {
            int c = target.charAt(i);
            if (c == '%') {
                c = hexByte(target, i, to);
                if (c < 0) {
                    return -1;
                }
                i += 3;
            } else {
                c = c == '+' ? ' ' : c;
                i++;
            }
            if (k >= name.length() || name.charAt(k) != c) {
                return skipRest(target, i, to);
            }
            k++;
        }
        return k == name.length() ? 1 : 0;
    }

    private static int skipRest(CharSequence target, int i, int to) {
        for (; i < to; i++) {
            if (target.charAt(i) == '%') {
                if (hexByte(target, i, to) < 0) {
                    return -1;
                }
                i += 2;
            }
        }
        return 0;
    }

    /** Decodes {@code target[from, to)} into {@code key}; escapes of non-ASCII bytes are kept as bytes (Latin-1 chars). */
    private static boolean decode(CharSequence target, int from, int to, KeyBuffer key) {
        for (int i = from; i < to; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                int b = hexByte(target, i, to);
                if (b < 0) {
                    return false;
                }
                key.append((char) b);
                i += 2;
            } else {
                key.append(c == '+' ? ' ' : c);
            }
        }
        return true;
    }

    private static int hexByte(CharSequence s, int i, int to) {
        if (i + 2 >= to) {
            return -1;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        return hi < 0 || lo < 0 || s.charAt(i + 1) > 'f' || s.charAt(i + 2) > 'f' ? -1 : hi << 4 | lo;
    }
}
