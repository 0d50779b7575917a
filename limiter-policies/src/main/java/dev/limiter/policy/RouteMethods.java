package dev.limiter.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP methods one policy's routes name, numbered so that "does this route take the
 * request's method" is one AND of two bit masks; immutable, so thread-safe.
 *
 * <p>Each method named by some route gets one bit, up to {@link #NAMED} of them; every other
 * method shares the {@link #OTHER} bit. A route that takes any method has every bit set; one that
 * names methods has their bits. A request's method (already canonical: upper case, HEAD read as
 * GET) is compared with the named methods once per request. A policy naming more than
 * {@link #NAMED} methods (no real one does) gives every further method a bit of its own no
 * longer: {@link #mask} then sets {@link #OTHER} for a route naming one of them, and {@link #bitOf}
 * gives {@link #OTHER} to a request with one; the matcher checks such a route's methods directly.
 */
final class RouteMethods {
    /** How many methods get a bit of their own. */
    static final int NAMED = 63;
    /** The bit of every method no route names. */
    static final long OTHER = 1L << NAMED;

    private final char[][] names;

    RouteMethods(RouteTrie trie) {
        List<String> seen = new ArrayList<>();
        for (int id = 0; id < trie.routeCount(); id++) {
            for (String m : trie.route(id).methods()) {
                if (!seen.contains(m) && seen.size() < NAMED) {
                    seen.add(m);
                }
            }
        }
        this.names = new char[seen.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = seen.get(i).toCharArray();
        }
    }

    /** @return the bits of {@code route}'s methods; every bit when it takes any method */
    long mask(Route route) {
        if (route.methods().isEmpty()) {
            return -1L;
        }
        long mask = 0;
        for (String m : route.methods()) {
            int i = indexOf(m.toCharArray(), m.length());
            mask |= i < 0 ? OTHER : 1L << i;
        }
        return mask;
    }

    /** @return whether {@code route} names a method without a bit of its own, so that its methods must be checked directly */
    boolean overflowed(Route route) {
        for (String m : route.methods()) {
            if (indexOf(m.toCharArray(), m.length()) < 0) {
                return true;
            }
        }
        return false;
    }

    /** @return the bit of the canonical method of the request in {@code m}; allocation-free */
    long bitOf(MatchResult m) {
        int i = indexOf(m.methodChars(), m.method().length());
        return i < 0 ? OTHER : 1L << i;
    }

    /** @return how many method bits there are: one per named method, then {@link #OTHER} */
    int count() {
        return names.length + 1;
    }

    /** @return the position among {@link #count()} of the request's method bit in {@code m}; allocation-free */
    int indexOf(MatchResult m) {
        int i = indexOf(m.methodChars(), m.method().length());
        return i < 0 ? names.length : i;
    }

    private int indexOf(char[] method, int length) {
        for (int i = 0; i < names.length; i++) {
            char[] n = names[i];
            if (n.length == length && sameChars(n, method)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameChars(char[] name, char[] method) {
        for (int i = 0; i < name.length; i++) {
            if (name[i] != method[i]) {
                return false;
            }
        }
        return true;
    }
}
