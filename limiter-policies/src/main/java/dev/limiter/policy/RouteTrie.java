package dev.limiter.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/*
 * The route matcher of one policy: a segment trie built once from every route of every rule.
 *
 * Shape. Each node has literal children (lower case: literals match ignoring ASCII case, so that
 * /V3/grants is /v3/grants) (scanned linearly by length then chars, straight from the canonical
 * path's char array: fan-out in the
 * shipped policies is small), at most one child for a variable segment (variables with different
 * names at the same position share it, since the name is only needed once a route is chosen),
 * one for '*', and two route lists: routes that end at the node, and routes whose final '**'
 * starts at it.
 *
 * Matching. The canonical request path is split once into segment offsets (no substrings); a depth-first
 * walk tries literal, variable, '*' children and collects every route that ends where the path
 * ends or whose '**' covers the rest. Work is bounded by the trie, not by the number of rules,
 * and nothing is allocated: offsets and hits go into the caller's MatchResult. Path variables are
 * then read by position: each route knows which segment holds each of its variables.
 *
 * Immutable after construction, so one trie serves every thread.
 */
final class RouteTrie {
    private final Node root;
    /** Flattened routes: the owning rule index, the route, and its variable segment positions. */
    private final int[] routeRule;
    private final Route[] routes;

    RouteTrie(List<Rule> rules) {
        Node r = new Node();
        List<Integer> owners = new ArrayList<>();
        List<Route> all = new ArrayList<>();
        for (int ri = 0; ri < rules.size(); ri++) {
            for (Route route : rules.get(ri).routes()) {
                int id = all.size();
                all.add(route);
                owners.add(ri);
                insert(r, route.template(), id);
            }
        }
        this.root = r.freeze();
        this.routes = all.toArray(new Route[0]);
        this.routeRule = owners.stream().mapToInt(Integer::intValue).toArray();
    }

    int routeCount() {
        return routes.length;
    }

    Route route(int id) {
        return routes[id];
    }

    int ruleOf(int routeId) {
        return routeRule[routeId];
    }

    private static void insert(Node root, PathTemplate t, int routeId) {
        Node n = root;
        for (int i = 0; i < t.segmentCount(); i++) {
            switch (t.kind(i)) {
                case LITERAL:
                    n = n.literalBuilder.computeIfAbsent(Chars.lowerAscii(t.value(i)), k -> new Node());
                    break;
                case VARIABLE:
                    if (n.variable == null) {
                        n.variable = new Node();
                    }
                    n = n.variable;
                    break;
                case STAR:
                    if (n.star == null) {
                        n.star = new Node();
                    }
                    n = n.star;
                    break;
                default: // GLOB, always last
                    n.globBuilder.add(routeId);
                    return;
            }
        }
        n.endBuilder.add(routeId);
    }

    /**
     * Collects into {@code state} the ids of every route whose template matches the path already
     * split in {@code state}; allocation-free.
     */
    void match(MatchResult state) {
        walk(root, 0, state);
    }

    private static void walk(Node n, int depth, MatchResult s) {
        for (int id : n.glob) {
            s.addHit(id);
        }
        if (depth == s.segmentCount()) {
            for (int id : n.end) {
                s.addHit(id);
            }
            return;
        }
        char[][] literals = n.literals;
        if (literals.length > 0) {
            int from = s.segmentStart(depth);
            int length = s.segmentEnd(depth) - from;
            char[] path = s.pathChars();
            for (int i = 0; i < literals.length; i++) {
                if (literals[i].length == length && equalsIgnoringCase(path, from, literals[i])) {
                    walk(n.literalChildren[i], depth + 1, s);
                    break;
                }
            }
        }
        if (n.variable != null) {
            walk(n.variable, depth + 1, s);
        }
        if (n.star != null) {
            walk(n.star, depth + 1, s);
        }
    }

    /** @return whether {@code path[from, from + literal.length)} equals the lower-case {@code literal}, ignoring ASCII case */
    static boolean equalsIgnoringCase(char[] path, int from, char[] literal) {
        for (int i = 0; i < literal.length; i++) {
            char x = path[from + i];
            if (x != literal[i] && Chars.lower(x) != literal[i]) {
                return false;
            }
        }
        return true;
    }

    Node root() {
        return root;
    }

    /** A trie node: mutable builders while inserting, then frozen arrays. */
    static final class Node {
        Map<String, Node> literalBuilder = new HashMap<>();
        List<Integer> globBuilder = new ArrayList<>();
        List<Integer> endBuilder = new ArrayList<>();
        char[][] literals;
        Node[] literalChildren;
        Node variable;
        Node star;
        int[] glob;
        int[] end;

        /** @return the node's literals, lower case */
        List<String> literalNames() {
            List<String> out = new ArrayList<>(literals.length);
            for (char[] l : literals) {
                out.add(new String(l));
            }
            return out;
        }

        /** @return the child for lower-case {@code literal}, or null */
        Node literalChild(String literal) {
            for (int i = 0; i < literals.length; i++) {
                if (Arrays.equals(literals[i], literal.toCharArray())) {
                    return literalChildren[i];
                }
            }
            return null;
        }

        Node variable() {
            return variable;
        }

        Node star() {
            return star;
        }

        Node freeze() {
            String[] names = literalBuilder.keySet().toArray(new String[0]);
            Arrays.sort(names);
            literals = new char[names.length][];
            literalChildren = new Node[names.length];
            for (int i = 0; i < names.length; i++) {
                literals[i] = names[i].toCharArray();
                literalChildren[i] = literalBuilder.get(names[i]).freeze();
            }
            if (variable != null) {
                variable.freeze();
            }
            if (star != null) {
                star.freeze();
            }
            glob = globBuilder.stream().mapToInt(Integer::intValue).toArray();
            end = endBuilder.stream().mapToInt(Integer::intValue).toArray();
            literalBuilder = null;
            globBuilder = null;
            endBuilder = null;
            return this;
        }
    }
}
