package dev.limiter.policy;

/**
 * Decodes one percent-encoded UTF-8 character of a raw path ({@code %41}, {@code %C3%A9}) for
 * {@link CanonicalPath}, refusing what a path must not hide in an escape; stateless.
 *
 * <p>A decoded character comes back packed in one non-negative int, its code point and the raw
 * chars it took ({@link #codePoint}, {@link #consumed}); a refusal as one of the negative codes.
 */
final class PercentEscape {
    /** A {@code %} not followed by two hex digits. */
    static final int BAD_ESCAPE = -1;
    /** A NUL or other control character. */
    static final int CONTROL = -2;
    /** An encoded {@code /} or {@code \}. */
    static final int SEPARATOR = -3;
    /** A sequence that is not UTF-8: a bad lead or continuation byte, an overlong form, a surrogate. */
    static final int BAD_UTF8 = -4;
    private static final int CODE_POINT_BITS = 21;

    private PercentEscape() {
    }

    /** @return the code point of a decoded result */
    static int codePoint(int decoded) {
        return decoded & ((1 << CODE_POINT_BITS) - 1);
    }

    /** @return the raw chars (3, 6, 9 or 12) a decoded result took */
    static int consumed(int decoded) {
        return decoded >>> CODE_POINT_BITS;
    }

    /**
     * Decodes the escape sequence at {@code raw[i]} (a {@code %}), reading no further than {@code end}.
     *
     * @return the code point and raw chars consumed, packed; or a negative refusal code
     */
    static int decode(CharSequence raw, int i, int end) {
        int b = hexByte(raw, i, end);
        if (b < 0) {
            return BAD_ESCAPE;
        }
        if (b < 0x20 || b == 0x7f) {
            return CONTROL;
        }
        if (b == '/' || b == '\\') {
            return SEPARATOR;
        }
        if (b < 0x80) {
            return 3 << CODE_POINT_BITS | b;
        }
        int more;
        int cp;
        if ((b & 0xE0) == 0xC0) {
            more = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            more = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            more = 3;
            cp = b & 0x07;
        } else {
            return BAD_UTF8;
        }
        int at = i + 3;
        for (int k = 0; k < more; k++, at += 3) {
            if (at >= end || raw.charAt(at) != '%') {
                return BAD_UTF8;
            }
            int c = hexByte(raw, at, end);
            if (c < 0 || (c & 0xC0) != 0x80) {
                return c < 0 ? BAD_ESCAPE : BAD_UTF8;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        int min = more == 1 ? 0x80 : more == 2 ? 0x800 : 0x10000;
        if (cp < min || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return BAD_UTF8; // overlong encodings and surrogates are not UTF-8
        }
        return 3 * (more + 1) << CODE_POINT_BITS | cp;
    }

    private static int hexByte(CharSequence raw, int i, int end) {
        if (i + 2 >= end) {
            return -1;
        }
        int hi = hex(raw.charAt(i + 1));
        int lo = hex(raw.charAt(i + 2));
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
