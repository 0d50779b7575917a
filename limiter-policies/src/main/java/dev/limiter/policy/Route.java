package dev.limiter.policy;

import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One immutable (methods, path template, cost) entry of a rule: the requests it matches and the
 * permits each one takes.
 */
public final class Route {
    /** The cost of a route that takes the rule's default cost. */
    public static final long DEFAULT_COST = 0;

    private final Set<String> methods;
    private final String[] methodArray;
    private final PathTemplate template;
    private final long cost;

    Route(String methods, String template, long cost) {
        this.methods = parseMethods(methods);
        this.methodArray = this.methods.toArray(new String[0]);
        this.template = PathTemplate.parse(template);
        if (cost < 0) {
            throw new IllegalArgumentException("route " + template + ": cost must be positive, was " + cost);
        }
        this.cost = cost;
    }

    private static Set<String> parseMethods(String methods) {
        if (methods == null || methods.isBlank()) {
            throw new IllegalArgumentException("route methods must not be blank (use \"*\" for any method)");
        }
        Set<String> set = new TreeSet<>();
        if (methods.trim().equals("*")) {
            return Collections.emptySet();
        }
        for (String m : methods.split(",")) {
            String t = m.trim().toUpperCase(Locale.ROOT);
            if (t.isEmpty() || !t.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
                throw new IllegalArgumentException("route methods '" + methods + "': '" + m.trim()
                        + "' is not an HTTP method");
            }
            set.add(t.equals("HEAD") ? "GET" : t); // requests are matched with HEAD read as GET
        }
        return Collections.unmodifiableSet(set);
    }

    /** @return the methods matched, upper case ({@code HEAD} is read as {@code GET}); empty means any method */
    public Set<String> methods() {
        return methods;
    }

    /** @return the path template */
    public PathTemplate template() {
        return template;
    }

    /** @return the permits one request takes, or {@link #DEFAULT_COST} for the rule's default */
    public long cost() {
        return cost;
    }

    /** @return whether {@code method} is one of this route's methods; allocation-free */
    boolean matchesMethod(CharSequence method) {
        if (methodArray.length == 0) {
            return true;
        }
        for (String m : methodArray) {
            if (Chars.equals(m, method)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Route)) {
            return false;
        }
        Route r = (Route) o;
        return cost == r.cost && methods.equals(r.methods) && template.equals(r.template);
    }

    @Override
    public int hashCode() {
        return (methods.hashCode() * 31 + template.hashCode()) * 31 + Long.hashCode(cost);
    }

    @Override
    public String toString() {
        return (methods.isEmpty() ? "*" : String.join(",", methods)) + " " + template
                + (cost == DEFAULT_COST ? "" : " cost " + cost);
    }
}
