package dev.limiter.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable, parsed path template such as {@code /v3/grants/{grant_id}/messages/**}: a list of
 * segments, each a literal, a named variable, {@code *} (any one segment) or, last only,
 * {@code **} (zero or more segments).
 *
 * <p>Templates are strict: they start with {@code /}, have no empty segments, variable names are
 * Java-identifier-like and unique, and {@code **} may only be the last segment. A literal segment
 * may not contain <code>{</code>, <code>}</code>, {@code *}, {@code ?} or {@code #}; a template has at most
 * {@value #MAX_SEGMENTS} segments. A trailing slash is ignored.
 * Violations throw {@link IllegalArgumentException} naming the template and the column.
 *
 * <p>Specificity (used for precedence) compares segment by segment: a literal beats a variable,
 * a variable beats {@code *}, {@code *} beats {@code **}; and a template that ends where the path
 * ends beats one whose {@code **} matches nothing.
 */
public final class PathTemplate implements Comparable<PathTemplate> {
    /** The kinds of segment, in increasing specificity. */
    enum Kind { GLOB, STAR, VARIABLE, LITERAL }

    /** The most segments a template may have (so that its specificity fits in a long). */
    public static final int MAX_SEGMENTS = 27;

    private final String text;
    private final Kind[] kinds;
    private final String[] values;
    private final List<String> variables;
    private final long specificity;

    private PathTemplate(String text, Kind[] kinds, String[] values, List<String> variables) {
        this.text = text;
        this.kinds = kinds;
        this.values = values;
        this.variables = variables;
        this.specificity = specificity(kinds);
    }

    /**
     * Encodes the specificity order as one number, so that precedence costs one comparison: a
     * base-5 digit per segment position, most significant first, with '**' = 0, "ended here" = 1,
     * '*' = 2, variable = 3, literal = 4 (positions after the end are "ended" too). Comparing the
     * numbers is comparing the digit strings, which is the order described on the class.
     */
    private static long specificity(Kind[] kinds) {
        long v = 0;
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            int digit = i >= kinds.length ? 1 : kinds[i] == Kind.GLOB ? 0 : kinds[i].ordinal() + 1;
            v = v * 5 + digit;
        }
        return v;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the template and column when it is malformed
     */
    public static PathTemplate parse(String template) {
        if (template == null) {
            throw new NullPointerException("template");
        }
        if (!template.startsWith("/")) {
            throw error(template, 0, "a template must start with '/'");
        }
        List<Kind> kinds = new ArrayList<>();
        List<String> values = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int n = template.length();
        if (n > 1 && template.endsWith("/")) {
            n--;
        }
        int start = 1;
        while (start < n) {
            int end = template.indexOf('/', start);
            if (end < 0 || end > n) {
                end = n;
            }
            if (end == start) {
                throw error(template, start, "empty segment ('//')");
            }
            String seg = template.substring(start, end);
            if (!kinds.isEmpty() && kinds.get(kinds.size() - 1) == Kind.GLOB) {
                throw error(template, start, "'**' may only be the last segment");
            }
            if (seg.equals("**")) {
                kinds.add(Kind.GLOB);
                values.add(seg);
            } else if (seg.equals("*")) {
                kinds.add(Kind.STAR);
                values.add(seg);
            } else if (seg.startsWith("{")) {
                if (!seg.endsWith("}")) {
                    throw error(template, start, "variable segment '" + seg + "' must end with '}'");
                }
                String name = seg.substring(1, seg.length() - 1);
                if (!isIdentifier(name)) {
                    throw error(template, start + 1, "variable name '" + name
                            + "' must be a letter or '_' followed by letters, digits or '_'");
                }
                if (!seen.add(name)) {
                    throw error(template, start + 1, "variable '" + name + "' appears twice");
                }
                kinds.add(Kind.VARIABLE);
                values.add(name);
                vars.add(name);
            } else {
                if (seg.equals(".") || seg.equals("..")) {
                    throw error(template, start, "'" + seg + "' is a dot segment; requests are matched with dot"
                            + " segments removed, so it would never match");
                }
                for (int i = 0; i < seg.length(); i++) {
                    char c = seg.charAt(i);
                    if (c == ';') {
                        throw error(template, start + i, "';' starts path parameters, which requests are matched"
                                + " without; write the template in decoded, canonical form");
                    }
                    if (c == '{' || c == '}' || c == '*' || c == '?' || c == '#') {
                        throw error(template, start + i, "unexpected '" + c + "' in literal segment '" + seg
                                + "' (variables are whole segments like {name}; wildcards are '*' or '**')");
                    }
                }
                kinds.add(Kind.LITERAL);
                values.add(seg);
            }
            if (kinds.size() > MAX_SEGMENTS) {
                throw error(template, start, "more than " + MAX_SEGMENTS + " segments");
            }
            start = end + 1;
        }
        String canonical = kinds.isEmpty() ? "/" : "/" + String.join("/", values(kinds, values));
        return new PathTemplate(canonical, kinds.toArray(new Kind[0]), values.toArray(new String[0]),
                Collections.unmodifiableList(vars));
    }

    private static List<String> values(List<Kind> kinds, List<String> values) {
        List<String> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            out.add(kinds.get(i) == Kind.VARIABLE ? "{" + values.get(i) + "}" : values.get(i));
        }
        return out;
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException error(String template, int column, String what) {
        return new IllegalArgumentException("malformed path template '" + template + "' at column " + (column + 1)
                + ": " + what);
    }

    /** @return the variable names, in order of appearance */
    public List<String> variables() {
        return variables;
    }

    /** @return the number of segments, counting a final {@code **} */
    public int segmentCount() {
        return kinds.length;
    }

    Kind kind(int i) {
        return kinds[i];
    }

    String value(int i) {
        return values[i];
    }

    /** @return whether this template ends with {@code **} */
    public boolean hasGlob() {
        return kinds.length > 0 && kinds[kinds.length - 1] == Kind.GLOB;
    }

    /**
     * Orders templates by specificity: a positive result means this template is more specific.
     * Templates of equal specificity (for example differing only in variable names) compare 0.
     */
    @Override
    public int compareTo(PathTemplate o) {
        return Long.compare(specificity, o.specificity);
    }

    /** @return the specificity {@link #compareTo} compares: a larger number is more specific */
    long specificity() {
        return specificity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathTemplate && text.equals(((PathTemplate) o).text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** @return the canonical text, for example {@code /v3/grants/{grant_id}/threads} */
    @Override
    public String toString() {
        return text;
    }
}
