package dev.limiter.policy;

import java.util.Arrays;

/**
 * A reusable, growable character buffer viewed as a {@link CharSequence}, so that a rule's key
 * can be assembled and handed to a limiter without creating a String; not thread-safe.
 */
final class KeyBuffer extends CharArraySequence {
    KeyBuffer() {
        super(64);
    }

    KeyBuffer clear() {
        length = 0;
        return this;
    }

    KeyBuffer truncate(int newLength) {
        length = newLength;
        return this;
    }

    void setCharAt(int index, char c) {
        chars[index] = c;
    }

    KeyBuffer append(char c) {
        ensure(1);
        chars[length++] = c;
        return this;
    }

    /** Appends {@code c[0, n)}. */
    KeyBuffer append(char[] c, int n) {
        ensure(n);
        System.arraycopy(c, 0, chars, length, n);
        length += n;
        return this;
    }

    KeyBuffer append(CharSequence s, int from, int to) {
        ensure(to - from);
        if (s instanceof String) {
            ((String) s).getChars(from, to, chars, length);
            length += to - from;
            return this;
        }
        if (s instanceof CharArraySequence && to <= s.length()) {
            System.arraycopy(((CharArraySequence) s).chars, from, chars, length, to - from);
            length += to - from;
            return this;
        }
        for (int i = from; i < to; i++) {
            chars[length++] = s.charAt(i);
        }
        return this;
    }

    /** Appends {@code s[from, to)} with ASCII letters in lower case. */
    KeyBuffer appendLowerCase(CharSequence s, int from, int to) {
        ensure(to - from);
        char[] c = chars;
        int at = length;
        for (int i = from; i < to; i++) {
            c[at++] = Chars.lower(s.charAt(i));
        }
        length = at;
        return this;
    }

    /**
     * Appends one key part as its length (one char, saturating) and its characters, so that
     * ("a|b", "c") and ("a", "b|c") never produce the same key.
     */
    KeyBuffer appendPart(CharSequence s, int from, int to) {
        append((char) Math.min(to - from, Character.MAX_VALUE));
        return append(s, from, to);
    }

    private void ensure(int more) {
        if (length + more > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + more));
        }
    }
}
