package dev.limiter.policy;

import java.util.Arrays;

/**
 * The canonical form of a request path, computed once per request into reusable buffers: every
 * spelling a server maps to the same decoded path yields the same segments; not thread-safe.
 *
 * <p>Steps, in one pass: cut at {@code ?} or {@code #}; strip each segment's path parameters
 * ({@code ;...}); percent-decode every escape (UTF-8, so {@code %67%31} is {@code g1}); remove
 * dot segments as RFC 3986 §5.2.4 does (a decoded {@code %2E%2E} or a {@code ..;x} is a dot
 * segment too, and empty segments count while dots are removed); finally drop empty segments, so a
 * doubled or trailing slash changes nothing. Refused, with a reason, and never matched: a path
 * not starting with {@code /}, longer than {@link #MAX_LENGTH}, with a malformed escape or UTF-8
 * sequence, a NUL or other control character, an encoded {@code /} or {@code \} (servers differ on
 * whether it separates segments), a raw {@code \}, or dot segments that climb above the root.
 *
 * <p>Most paths are canonical already. Those are taken as they are after one bulk copy and one
 * table-driven scan of the copy ({@link #alreadyCanonical}); the general pass runs only for a path
 * with something to decode, strip, remove or refuse, and yields the same result on the others.
 */
final class CanonicalPath extends CharArraySequence {
    /** The longest path (before {@code ?}) accepted, in chars. */
    static final int MAX_LENGTH = 8_192;

    static final String NOT_ABSOLUTE = "the path must start with '/'";
    static final String TOO_LONG = "the path is longer than " + MAX_LENGTH + " characters";
    static final String BAD_ESCAPE = "the path has a malformed percent escape";
    static final String BAD_UTF8 = "the path has a percent-encoded sequence that is not UTF-8";
    static final String CONTROL = "the path contains a NUL or control character";
    static final String ENCODED_SEPARATOR = "the path contains an encoded '/' or '\\', or a '\\'";
    static final String ABOVE_ROOT = "the path's dot segments climb above the root";

    /** What the fast path does with an ASCII char: {@code KIND[c]} is one of the four below. */
    private static final byte[] KIND = new byte[128];
    private static final byte PLAIN = 0;
    private static final byte SLASH = 1;
    /** {@code ?} or {@code #}: the path ends. */
    private static final byte END = 2;
    /** A char the general pass decodes, strips or refuses: {@code %}, {@code ;}, a backslash, a control char. */
    private static final byte GENERAL = 3;

    static {
        for (int c = 0; c < 128; c++) {
            KIND[c] = c == '/' ? SLASH : c == '?' || c == '#' ? END
                    : c < 0x20 || c == 0x7f || c == '%' || c == ';' || c == '\\' ? GENERAL : PLAIN;
        }
    }

    /** Segment i is chars[starts[i], ends[i]); before compaction, empty segments are included. */
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int segments;
    private String error;
    /**
     * The automaton state the fast path reached by stepping over each segment as it found it, or
     * -1 when it did not walk (no transitions given, or the general pass ran).
     */
    private int walked = -1;

    CanonicalPath() {
        super(128);
    }

    /**
     * Canonicalises {@code raw}.
     *
     * @return whether it could be; when not, {@link #error()} says why
     */
    boolean canonicalise(CharSequence raw) {
        return canonicalise(raw, null);
    }

    /**
     * Canonicalises {@code raw}; when the fast path takes it and {@code walk} is not null, also
     * steps {@code walk} from its start over each segment, leaving the state in {@link #walkedState()}.
     *
     * @return whether it could be; when not, {@link #error()} says why
     */
    boolean canonicalise(CharSequence raw, Transitions walk) {
        length = 0;
        segments = 0;
        error = null;
        return alreadyCanonical(raw, walk) || canonicaliseInGeneral(raw);
    }

    /**
     * The fast path: copies the raw path (up to {@code ?} or {@code #}) once and scans the copy,
     * accepting it as it is when it holds nothing the general pass would change or refuse: no
     * {@code %}, {@code ;}, {@code \}, control character, empty segment (doubled or trailing
     * slash), {@code .} or {@code ..} segment, and at most {@link #MAX_LENGTH} chars. The segments
     * it records are then exactly the general pass's. Anything else leaves the buffer for
     * {@link #canonicaliseInGeneral}, which starts over from {@code raw}.
     *
     * @return whether the path was already canonical (and is now the buffer's content)
     */
    boolean alreadyCanonical(CharSequence raw) {
        return alreadyCanonical(raw, null);
    }

    /** As {@link #alreadyCanonical(CharSequence)}, stepping {@code walk} (when not null) over each segment found. */
    private boolean alreadyCanonical(CharSequence raw, Transitions walk) {
        walked = -1;
        int n = raw.length();
        if (n < 2 || n > MAX_LENGTH) {
            return false; // "", "/" and long raw forms (perhaps with a long query) take the general pass
        }
        ensure(n + 1 + Transitions.PACKED); // slack for Transitions.step's packed compare
        char[] c = chars;
        if (raw instanceof String) {
            ((String) raw).getChars(0, n, c, 0);
        } else {
            for (int i = 0; i < n; i++) {
                c[i] = raw.charAt(i);
            }
        }
        if (c[0] != '/') {
            return false;
        }
        int segStart = 1;
        int state = RouteAutomaton.start();
        int i = 1;
        for (; i < n; i++) {
            char x = c[i];
            int kind = x < 128 ? KIND[x] : PLAIN;
            if (kind == PLAIN) {
                continue;
            }
            if (kind == SLASH) {
                if (!plainSegment(c, segStart, i)) {
                    return false;
                }
                push(segStart, i);
                if (walk != null) {
                    state = walk.step(state, c, segStart, i, c.length);
                }
                segStart = i + 1;
            } else if (kind == END) {
                break;
            } else {
                return false;
            }
        }
        if (!plainSegment(c, segStart, i)) {
            segments = 0;
            return false;
        }
        push(segStart, i);
        length = i;
        if (walk != null) {
            walked = walk.step(state, c, segStart, i, c.length);
        }
        return true;
    }

    /** @return whether {@code c[from, to)} is a segment the general pass keeps as it is: not empty, not a dot segment */
    private boolean plainSegment(char[] c, int from, int to) {
        int n = to - from;
        if (n == 0 || n <= 2 && c[from] == '.' && (n == 1 || c[from + 1] == '.')) {
            segments = 0;
            return false;
        }
        return true;
    }

    /** The general pass, over {@code raw}: see the class comment. */
    boolean canonicaliseInGeneral(CharSequence raw) {
        walked = -1;
        length = 0;
        segments = 0;
        error = null;
        int n = raw.length();
        int end = 0;
        while (end < n) {
            char c = raw.charAt(end);
            if (c == '?' || c == '#') {
                break;
            }
            end++;
        }
        if (end == 0 || raw.charAt(0) != '/') {
            return fail(NOT_ABSOLUTE);
        }
        if (end > MAX_LENGTH) {
            return fail(TOO_LONG);
        }
        ensure(end + 1);
        int i = 1;
        while (true) {
            int segStart = length + 1;
            chars[length++] = '/';
            boolean inParameters = false;
            while (i < end) {
                char c = raw.charAt(i);
                if (c == '/') {
                    break;
                }
                if (c == ';') {
                    inParameters = true;
                }
                if (c == '%') {
                    int consumed = decode(raw, i, end, inParameters);
                    if (consumed < 0) {
                        return false;
                    }
                    i += consumed;
                    continue;
                }
                if (c < 0x20 || c == 0x7f) {
                    return fail(CONTROL);
                }
                if (c == '\\') {
                    return fail(ENCODED_SEPARATOR);
                }
                if (!inParameters) {
                    chars[length++] = c;
                }
                i++;
            }
            if (!endSegment(segStart)) {
                return false;
            }
            if (i >= end) {
                break;
            }
            i++; // the '/'
        }
        compact();
        return true;
    }

    /** Decodes the escape sequence at {@code i}; returns the raw chars consumed, or -1 after failing. */
    private int decode(CharSequence raw, int i, int end, boolean inParameters) {
        int d = PercentEscape.decode(raw, i, end);
        if (d < 0) {
            fail(d == PercentEscape.BAD_ESCAPE ? BAD_ESCAPE : d == PercentEscape.CONTROL ? CONTROL
                    : d == PercentEscape.SEPARATOR ? ENCODED_SEPARATOR : BAD_UTF8);
            return -1;
        }
        int cp = PercentEscape.codePoint(d);
        if (!inParameters) {
            if (cp >= 0x10000) {
                chars[length++] = Character.highSurrogate(cp);
                chars[length++] = Character.lowSurrogate(cp);
            } else {
                chars[length++] = (char) cp;
            }
        }
        return PercentEscape.consumed(d);
    }

    /**
     * Ends the segment that starts at {@code segStart} (just after its '/'): pushes it, or applies
     * it as a dot segment ("." adds nothing; ".." also removes the segment before it, empty or not).
     */
    private boolean endSegment(int segStart) {
        int n = length - segStart;
        if (n == 1 && chars[segStart] == '.') {
            length = segStart - 1;
            return true;
        }
        if (n == 2 && chars[segStart] == '.' && chars[segStart + 1] == '.') {
            if (segments == 0) {
                return fail(ABOVE_ROOT);
            }
            segments--;
            length = starts[segments] - 1;
            return true;
        }
        push(segStart, length);
        return true;
    }

    private void push(int start, int end) {
        if (segments == starts.length) {
            starts = Arrays.copyOf(starts, segments * 2);
            ends = Arrays.copyOf(ends, segments * 2);
        }
        starts[segments] = start;
        ends[segments] = end;
        segments++;
    }

    /** Drops empty segments: rewrites the buffer as "/" + the non-empty segments joined by "/". */
    private void compact() {
        int w = 0;
        int kept = 0;
        for (int s = 0; s < segments; s++) {
            int from = starts[s];
            int to = ends[s];
            if (to == from) {
                continue;
            }
            chars[w++] = '/';
            int start = w;
            System.arraycopy(chars, from, chars, w, to - from);
            w += to - from;
            starts[kept] = start;
            ends[kept] = w;
            kept++;
        }
        if (w == 0) {
            chars[w++] = '/';
        }
        length = w;
        segments = kept;
    }

    private boolean fail(String why) {
        error = why;
        length = 0;
        segments = 0;
        return false;
    }

    private void ensure(int capacity) {
        // A decoded path is never longer than its raw form (an escape is 3 chars for at most 1).
        if (capacity > chars.length) {
            chars = new char[Math.max(capacity, chars.length * 2)];
        }
    }

    /** Sets the path to {@code segments} as they are (none empty), without checking or decoding them. */
    void setSegments(java.util.List<String> list) {
        walked = -1;
        length = 0;
        segments = 0;
        error = null;
        for (String s : list) {
            ensure(length + s.length() + 2);
            chars[length++] = '/';
            s.getChars(0, s.length(), chars, length);
            push(length, length + s.length());
            length += s.length();
        }
        if (length == 0) {
            chars[length++] = '/';
        }
    }

    /** Empties the path, as a refused one is. */
    void forget() {
        length = 0;
        segments = 0;
        error = null;
        walked = -1;
    }

    /** @return the automaton state the last fast pass walked to, or -1 when it did not walk */
    int walkedState() {
        return walked;
    }

    /** @return why the last path was refused; null when it was canonicalised */
    String error() {
        return error;
    }

    int segmentCount() {
        return segments;
    }

    int segmentStart(int i) {
        return starts[i];
    }

    int segmentEnd(int i) {
        return ends[i];
    }
}
