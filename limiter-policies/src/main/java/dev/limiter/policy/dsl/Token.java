package dev.limiter.policy.dsl;

/**
 * One token of a policy file: its kind, its source text, its decoded value (a string's contents,
 * a number or a duration in nanoseconds) and where it starts.
 */
record Token(Kind kind, String text, String string, long number, int line, int column) {

    /** The kinds of token. */
    enum Kind { WORD, STRING, NUMBER, DURATION, PATH, LBRACE, RBRACE, LPAREN, RPAREN, COMMA, EQUALS, STAR, NEWLINE, EOF }

    boolean is(Kind k) {
        return kind == k;
    }

    boolean isWord(String w) {
        return kind == Kind.WORD && text.equals(w);
    }

    /** @return how an error message names this token: {@code 'word'}, end of line, end of file */
    String describe() {
        switch (kind) {
            case NEWLINE:
                return "end of line";
            case EOF:
                return "end of file";
            case STRING:
                return "string " + abbreviate(text);
            case NUMBER:
                return "number " + abbreviate(text);
            case DURATION:
                return "duration " + abbreviate(text);
            case PATH:
                return "path " + abbreviate(text);
            default:
                return "'" + abbreviate(text) + "'";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
