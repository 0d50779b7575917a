package dev.limiter.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The matcher of one {@link Policy}: compiled once from all its rules into a segment trie, it
 * finds the rules that apply to a request and extracts each rule's key, allocating nothing.
 *
 * <p>Selection, in order: the trie yields every route whose template matches the path; routes
 * whose methods do not include the request's are dropped; each rule keeps its most specific
 * route; rules whose {@link Rule#conditions() conditions} fail are dropped; within a precedence
 * {@link Rule#group() group} only the most specific rules remain; rules with a satisfied
 * {@link Rule#exemptions() exemption} are dropped. Thread-safe and immutable; each thread brings
 * its own {@link MatchResult}.
 */
public final class RouteMatcher {
    private final Policy policy;
    private final RouteTrie trie;
    private final Rule[] rules;
    private final int[] groupOf;
    private final int groupCount;
    /** Per route: the path segment of each of its template's variables. */
    private final int[][] variableSegments;
    /** Per route: for each key part of its rule, the segment of a path-variable part, else -1. */
    private final int[][] keySegments;
    private final int[][] memberSegments;
    private final KeyPart[][] keyParts;
    private final KeyPart[][] memberParts;
    private final Condition[][] conditions;
    private final Condition[][] exemptions;

    private RouteMatcher(Policy policy) {
        this.policy = policy;
        List<Rule> list = policy.rules();
        this.rules = list.toArray(new Rule[0]);
        this.trie = new RouteTrie(list);
        Map<String, Integer> groups = new HashMap<>();
        this.groupOf = new int[rules.length];
        this.keyParts = new KeyPart[rules.length][];
        this.memberParts = new KeyPart[rules.length][];
        this.conditions = new Condition[rules.length][];
        this.exemptions = new Condition[rules.length][];
        for (int i = 0; i < rules.length; i++) {
            Rule r = rules[i];
            groupOf[i] = r.group() == null ? -1 : groups.computeIfAbsent(r.group(), g -> groups.size());
            keyParts[i] = r.key().toArray(new KeyPart[0]);
            memberParts[i] = r.member().toArray(new KeyPart[0]);
            conditions[i] = r.conditions().toArray(new Condition[0]);
            exemptions[i] = r.exemptions().toArray(new Condition[0]);
        }
        this.groupCount = groups.size();
        int n = trie.routeCount();
        this.variableSegments = new int[n][];
        this.keySegments = new int[n][];
        this.memberSegments = new int[n][];
        for (int id = 0; id < n; id++) {
            PathTemplate t = trie.route(id).template();
            List<Integer> segs = new ArrayList<>();
            for (int s = 0; s < t.segmentCount(); s++) {
                if (t.kind(s) == PathTemplate.Kind.VARIABLE) {
                    segs.add(s);
                }
            }
            variableSegments[id] = segs.stream().mapToInt(Integer::intValue).toArray();
            keySegments[id] = segments(keyParts[trie.ruleOf(id)], t, variableSegments[id]);
            memberSegments[id] = segments(memberParts[trie.ruleOf(id)], t, variableSegments[id]);
        }
    }

    private static int[] segments(KeyPart[] parts, PathTemplate t, int[] variableSegments) {
        int[] out = new int[parts.length];
        for (int p = 0; p < parts.length; p++) {
            out[p] = parts[p].source() == KeyPart.Source.PATH_VARIABLE
                    ? variableSegments[t.variables().indexOf(parts[p].name())] : -1;
        }
        return out;
    }

    /** Compiles {@code policy}'s routes into a matcher. */
    public static RouteMatcher compile(Policy policy) {
        return new RouteMatcher(policy);
    }

    /** @return the policy */
    public Policy policy() {
        return policy;
    }

    /** @return a new result holder for this matcher, to reuse on one thread */
    public MatchResult newResult() {
        return new MatchResult(this);
    }

    RouteTrie trie() {
        return trie;
    }

    int groupCount() {
        return groupCount;
    }

    int variableSegment(int routeId, int variable) {
        return variableSegments[routeId][variable];
    }

    /**
     * Finds the rules that apply to {@code request} and their keys.
     *
     * @param into the result to overwrite; must come from this matcher
     * @return {@code into}
     * @throws IllegalArgumentException when {@code into} belongs to another matcher, or the request
     *     has no method or path
     */
    public MatchResult match(RequestView request, MatchResult into) {
        if (into.matcher() != this) {
            throw new IllegalArgumentException("this MatchResult belongs to another matcher");
        }
        CharSequence method = request.method();
        CharSequence path = request.path();
        if (method == null || path == null) {
            throw new IllegalArgumentException("request has no " + (method == null ? "method" : "path") + ": "
                    + request);
        }
        into.reset(method, path);
        trie.match(into);
        int[] best = into.bestRoute();
        // Each rule keeps its most specific route whose methods include the request's.
        int touched = 0;
        int[] order = into.touched();
        for (int h = 0; h < into.hitCount(); h++) {
            int id = into.hit(h);
            if (!trie.route(id).matchesMethod(method)) {
                continue;
            }
            int rule = trie.ruleOf(id);
            int current = best[rule];
            if (current < 0) {
                order[touched++] = rule;
                best[rule] = id;
            } else if (template(id).compareTo(template(current)) > 0) {
                best[rule] = id;
            }
        }
        sort(order, touched);
        int[] groupBest = into.groupBest();
        Arrays.fill(groupBest, -1);
        for (int i = 0; i < touched; i++) {
            int rule = order[i];
            if (!all(conditions[rule], request)) {
                best[rule] = -1;
                continue;
            }
            int g = groupOf[rule];
            if (g >= 0 && (groupBest[g] < 0 || template(best[rule]).compareTo(template(groupBest[g])) > 0)) {
                groupBest[g] = best[rule];
            }
        }
        for (int i = 0; i < touched; i++) {
            int rule = order[i];
            int id = best[rule];
            best[rule] = -1;
            if (id < 0) {
                continue;
            }
            int g = groupOf[rule];
            if (g >= 0 && template(id).compareTo(template(groupBest[g])) < 0) {
                continue;
            }
            if (any(exemptions[rule], request)) {
                continue;
            }
            into.addApplied(rule, id);
            buildKey(keyParts[rule], keySegments[id], id, request, into, into.lastKey());
            buildKey(memberParts[rule], memberSegments[id], id, request, into, into.lastMember());
        }
        return into;
    }

    private PathTemplate template(int routeId) {
        return trie.route(routeId).template();
    }

    private static boolean all(Condition[] cs, RequestView r) {
        for (Condition c : cs) {
            if (!c.test(r)) {
                return false;
            }
        }
        return true;
    }

    private static boolean any(Condition[] cs, RequestView r) {
        for (Condition c : cs) {
            if (c.test(r)) {
                return true;
            }
        }
        return false;
    }

    private static void sort(int[] a, int n) {
        for (int i = 1; i < n; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    private void buildKey(KeyPart[] parts, int[] segments, int routeId, RequestView request, MatchResult m,
                          KeyBuffer key) {
        CharSequence path = m.path();
        for (int p = 0; p < parts.length; p++) {
            KeyPart part = parts[p];
            switch (part.source()) {
                case PATH_VARIABLE: {
                    int seg = segments[p];
                    key.appendPart(path, m.segmentStart(seg), m.segmentEnd(seg));
                    break;
                }
                case HEADER:
                    appendValue(key, request.header(part.name()));
                    break;
                case ATTRIBUTE:
                    appendValue(key, request.attribute(part.name()));
                    break;
                case CLIENT_ADDRESS:
                    appendValue(key, request.clientAddress());
                    break;
                case ENDPOINT: {
                    CharSequence method = m.method();
                    int n = Math.min(part.segments(), m.segmentCount());
                    int length = method.length() + 1;
                    for (int s = 0; s < n; s++) {
                        length += 1 + m.segmentEnd(s) - m.segmentStart(s);
                    }
                    key.append((char) Math.min(length, Character.MAX_VALUE)).append(method, 0, method.length())
                            .append(' ');
                    for (int s = 0; s < n; s++) {
                        key.append('/').append(path, m.segmentStart(s), m.segmentEnd(s));
                    }
                    break;
                }
                default: { // ROUTE
                    CharSequence method = m.method();
                    String t = template(routeId).toString();
                    key.append((char) Math.min(method.length() + 1 + t.length(), Character.MAX_VALUE))
                            .append(method, 0, method.length()).append(' ').append(t, 0, t.length());
                }
            }
        }
    }

    private static void appendValue(KeyBuffer key, CharSequence v) {
        if (v == null) {
            key.appendPart("", 0, 0);
        } else {
            key.appendPart(v, 0, v.length());
        }
    }

    @Override
    public String toString() {
        return "RouteMatcher[" + policy.name() + " " + policy.version() + ": " + trie.routeCount() + " routes, "
                + rules.length + " rules]";
    }
}
