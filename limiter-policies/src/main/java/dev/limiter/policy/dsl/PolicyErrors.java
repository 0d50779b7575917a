package dev.limiter.policy.dsl;

import java.util.ArrayList;
import java.util.List;

/**
 * The errors found in one policy file so far, each with the text of its line; at most
 * {@link #MAX_ERRORS}, so that a huge broken file yields a bounded report.
 */
final class PolicyErrors {
    /** The most errors kept for one file; the last one kept says that more were dropped. */
    static final int MAX_ERRORS = 100;

    private final String file;
    private final String text;
    private final int[] lineStarts;
    private final List<PolicyError> errors = new ArrayList<>();
    private boolean truncated;

    PolicyErrors(String file, String text) {
        this.file = file;
        this.text = text;
        int[] starts = new int[16];
        int lines = 1;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            if (lines == starts.length) {
                starts = java.util.Arrays.copyOf(starts, lines * 2);
            }
            starts[lines++] = i + 1;
        }
        lineStarts = java.util.Arrays.copyOf(starts, lines);
    }

    String file() {
        return file;
    }

    /** Records an error at {@code line}:{@code column} (both 1-based; clamped into the file). */
    void add(int line, int column, String message) {
        if (truncated) {
            return;
        }
        int ln = Math.max(1, Math.min(line, lineStarts.length));
        String lineText = lineText(ln);
        int col = Math.max(1, Math.min(column, lineText.length() + 1));
        if (errors.size() == MAX_ERRORS - 1) {
            truncated = true;
            message = "too many errors; stopped after " + MAX_ERRORS;
        }
        errors.add(new PolicyError(file, ln, col, message, lineText));
    }

    void add(Token at, String message) {
        add(at.line(), at.column(), message);
    }

    String lineText(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(start, Math.max(start, end));
    }

    int count() {
        return errors.size();
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    boolean full() {
        return truncated;
    }

    /** @return the errors sorted by position (stable for equal positions) */
    List<PolicyError> sorted() {
        List<PolicyError> out = new ArrayList<>(errors);
        out.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                : Integer.compare(a.column(), b.column()));
        return out;
    }

    InvalidPolicyException exception() {
        return new InvalidPolicyException(sorted());
    }
}
