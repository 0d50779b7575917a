package dev.limiter.policy.dsl;

import dev.limiter.policy.dsl.Token.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a policy file into {@link Token}s: words, quoted strings, numbers, durations, paths and
 * punctuation, one {@link Kind#NEWLINE} per run of line ends, and comments ({@code #} to the end of
 * the line) set aside with their line. Bad characters are reported and skipped, so lexing always
 * finishes.
 */
final class PolicyLexer {
    /** A comment's line and text (without the {@code #}). */
    record Comment(int line, String text) {
    }

    private final String text;
    private final char[] chars;
    private final PolicyErrors errors;
    private final List<Token> tokens = new ArrayList<>();
    private final List<Comment> comments = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;

    PolicyLexer(String text, PolicyErrors errors) {
        this.text = text;
        this.chars = text.toCharArray();
        this.errors = errors;
    }

    List<Token> tokens() {
        return tokens;
    }

    List<Comment> comments() {
        return comments;
    }

    PolicyLexer run() {
        int n = text.length();
        while (pos < n) {
            char c = chars[pos];
            int col = pos - lineStart + 1;
            if (c == '\n') {
                newline(col);
                pos++;
                line++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\uFEFF') {
                pos++;
            } else if (c == '#') {
                int end = lineEnd();
                comments.add(new Comment(line, text.substring(pos + 1, end).stripTrailing()));
                pos = end;
            } else if (c == '"') {
                string(col);
            } else if (c == '/') {
                int start = pos;
                while (pos < n && !Character.isWhitespace(chars[pos])) {
                    pos++;
                }
                String t = text.substring(start, pos);
                add(Kind.PATH, t, t, 0, col);
            } else if (c >= '0' && c <= '9') {
                number(col);
            } else if (isWordStart(c)) {
                int start = pos;
                while (pos < n && isWordPart(chars[pos])) {
                    pos++;
                }
                String w = text.substring(start, pos);
                add(Kind.WORD, w, w, 0, col);
            } else if (c == '{' || c == '}' || c == ',' || c == '=' || c == '*' || c == '(' || c == ')') {
                Kind k = c == '{' ? Kind.LBRACE : c == '}' ? Kind.RBRACE : c == ',' ? Kind.COMMA
                        : c == '=' ? Kind.EQUALS : c == '(' ? Kind.LPAREN : c == ')' ? Kind.RPAREN : Kind.STAR;
                add(k, String.valueOf(c), String.valueOf(c), 0, col);
                pos++;
            } else {
                int cp = text.codePointAt(pos);
                errors.add(line, col, "expected a word, string, number, path or one of { } ( ) , = *, found "
                        + describeChar(cp));
                pos += Character.charCount(cp);
            }
        }
        newline(pos - lineStart + 1);
        add(Kind.EOF, "", "", 0, pos - lineStart + 1);
        return this;
    }

    static boolean isWordStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    static boolean isWordPart(char c) {
        return isWordStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }

    private static String describeChar(int cp) {
        if (cp < 0x20 || cp == 0x7f || Character.isISOControl(cp) || Character.isSurrogate((char) cp)) {
            return String.format("character U+%04X", cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    private int lineEnd() {
        int end = text.indexOf('\n', pos);
        return end < 0 ? text.length() : end;
    }

    private void newline(int col) {
        if (!tokens.isEmpty() && !tokens.get(tokens.size() - 1).is(Kind.NEWLINE)) {
            add(Kind.NEWLINE, "", "", 0, col);
        }
    }

    private void add(Kind kind, String t, String value, long number, int col) {
        tokens.add(new Token(kind, t, value, number, line, col));
    }

    private void string(int col) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        int n = text.length();
        while (true) {
            if (pos >= n || chars[pos] == '\n') {
                errors.add(line, pos - lineStart + 1, "expected a closing '\"', found "
                        + (pos >= n ? "end of file" : "end of line"));
                add(Kind.STRING, text.substring(start, pos), sb.toString(), 0, col);
                return;
            }
            char c = chars[pos];
            if (c == '"') {
                pos++;
                add(Kind.STRING, text.substring(start, pos), sb.toString(), 0, col);
                return;
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            char e = pos + 1 < n ? chars[pos + 1] : '\n';
            int escCol = pos - lineStart + 1;
            pos += 2;
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'u':
                    int v = hex4();
                    if (v < 0) {
                        errors.add(line, escCol, "expected four hex digits after \\u, found "
                                + quoteRest(pos, 4));
                    } else {
                        sb.append((char) v);
                        pos += 4;
                    }
                    break;
                default:
                    if (e == '\n') {
                        pos--;
                    }
                    errors.add(line, escCol, "expected an escape (\\\" \\\\ \\n \\t \\r \\uXXXX), found "
                            + (e == '\n' ? "end of line" : describeChar(e)));
            }
        }
    }

    private int hex4() {
        if (pos + 4 > text.length()) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(chars[pos + i], 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private String quoteRest(int from, int max) {
        int end = Math.min(text.length(), from + max);
        int nl = text.indexOf('\n', from);
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return end <= from ? "end of line" : "'" + text.substring(from, end) + "'";
    }

    private void number(int col) {
        int start = pos;
        int n = text.length();
        long value = 0;
        boolean overflow = false;
        while (pos < n && (Character.isDigit(chars[pos]) && chars[pos] <= '9'
                || chars[pos] == '_' && pos + 1 < n && chars[pos + 1] >= '0' && chars[pos + 1] <= '9')) {
            char c = chars[pos++];
            if (c == '_') {
                continue;
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                overflow = true;
            } else {
                value = value * 10 + (c - '0');
            }
        }
        int unitStart = pos;
        while (pos < n && isWordPart(chars[pos])) {
            pos++;
        }
        String t = text.substring(start, pos);
        if (overflow) {
            errors.add(line, col, "expected a number at most " + Long.MAX_VALUE + ", found " + t);
            add(Kind.NUMBER, t, t, 0, col);
            return;
        }
        if (unitStart == pos) {
            add(Kind.NUMBER, t, t, value, col);
            return;
        }
        String unit = text.substring(unitStart, pos);
        long scale = unitNanos(unit);
        if (scale == 0) {
            errors.add(line, unitStart - lineStart + 1,
                    "expected a duration unit (ns, us, ms, s, m, h, d), found '" + unit + "'");
            add(Kind.DURATION, t, t, 0, col);
        } else if (value > Long.MAX_VALUE / scale) {
            errors.add(line, col, "expected a duration of at most " + Long.MAX_VALUE + "ns, found " + t);
            add(Kind.DURATION, t, t, 0, col);
        } else {
            add(Kind.DURATION, t, t, value * scale, col);
        }
    }

    /** @return nanoseconds per {@code unit}, or 0 when it is not a unit */
    static long unitNanos(String unit) {
        switch (unit) {
            case "ns": return 1L;
            case "us": return 1_000L;
            case "ms": return 1_000_000L;
            case "s": return 1_000_000_000L;
            case "m": return 60_000_000_000L;
            case "h": return 3_600_000_000_000L;
            case "d": return 86_400_000_000_000L;
            default: return 0;
        }
    }
}
