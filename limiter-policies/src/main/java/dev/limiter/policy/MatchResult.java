package dev.limiter.policy;

import java.util.Arrays;

/**
 * The rules that apply to one request, with the route each matched and the key each extracted;
 * filled by {@link RouteMatcher#match(RequestView, MatchResult)} and reused from request to
 * request so that matching allocates nothing.
 *
 * <p>Not thread-safe: keep one per thread. Its contents (and the views it returns, which may
 * read the request's path) are valid until the next {@code match} or {@link #clear()}. Rules
 * appear in policy declaration order.
 */
public final class MatchResult {
    private final RouteMatcher matcher;
    // The split path: segments are [starts[i], ends[i]) of path.
    private CharSequence method;
    private CharSequence path;
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int segments;
    // Routes hit by the trie walk, then the best route per rule.
    private final int[] hits;
    private int hitCount;
    private final int[] bestRoute;
    private final int[] touched;
    private final int[] groupBest;
    // The applied rules.
    private final int[] appliedRule;
    private final int[] appliedRoute;
    private final KeyBuffer[] keys;
    private final KeyBuffer[] members;
    private int size;

    /** Creates an empty result for {@code matcher}'s policy. */
    public MatchResult(RouteMatcher matcher) {
        this.matcher = matcher;
        int rules = matcher.policy().rules().size();
        this.hits = new int[matcher.trie().routeCount()];
        this.bestRoute = new int[rules];
        Arrays.fill(bestRoute, -1);
        this.touched = new int[rules];
        this.groupBest = new int[matcher.groupCount()];
        this.appliedRule = new int[rules];
        this.appliedRoute = new int[rules];
        this.keys = new KeyBuffer[rules];
        this.members = new KeyBuffer[rules];
        for (int i = 0; i < rules; i++) {
            keys[i] = new KeyBuffer();
            members[i] = new KeyBuffer();
        }
    }

    /** @return the matcher this result belongs to */
    public RouteMatcher matcher() {
        return matcher;
    }

    /** @return how many rules apply */
    public int size() {
        return size;
    }

    /** @return the {@code i}-th applying rule */
    public Rule rule(int i) {
        return matcher.policy().rules().get(ruleIndex(i));
    }

    /** @return the index in {@link Policy#rules()} of the {@code i}-th applying rule */
    public int ruleIndex(int i) {
        return appliedRule[check(i)];
    }

    /** @return the route through which the {@code i}-th rule matched */
    public Route route(int i) {
        return matcher.trie().route(appliedRoute[check(i)]);
    }

    /** @return the permits the {@code i}-th rule takes for this request */
    public long cost(int i) {
        long c = route(i).cost();
        return c == Route.DEFAULT_COST ? rule(i).cost() : c;
    }

    /**
     * @return the key the {@code i}-th rule extracted: its parts, each prefixed by its length as
     *     one char; a view valid until the next match
     */
    public CharSequence key(int i) {
        return keys[check(i)];
    }

    /**
     * @return the member key of the {@code i}-th rule when it is a cardinality rule (empty
     *     otherwise), encoded as {@link #key(int)}; a view valid until the next match
     */
    public CharSequence member(int i) {
        return members[check(i)];
    }

    /**
     * @return the value of path variable {@code name} in the {@code i}-th rule's route, as a new
     *     String (for inspection and tests; the hot path never calls it)
     * @throws IllegalArgumentException when the route has no such variable
     */
    public String variable(int i, String name) {
        PathTemplate t = route(i).template();
        int v = t.variables().indexOf(name);
        if (v < 0) {
            throw new IllegalArgumentException("route " + t + " has no variable {" + name + "}");
        }
        int seg = matcher.variableSegment(appliedRoute[i], v);
        return path.subSequence(starts[seg], ends[seg]).toString();
    }

    /** Forgets the last request (and every reference to it). */
    public void clear() {
        size = 0;
        hitCount = 0;
        segments = 0;
        method = null;
        path = null;
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("rule " + i + " of " + size);
        }
        return i;
    }

    // ---- used by RouteMatcher ----

    void reset(CharSequence method, CharSequence path) {
        clear();
        this.method = method;
        this.path = path;
        split(path);
    }

    private void split(CharSequence p) {
        if (p instanceof String) {
            splitString((String) p);
            return;
        }
        int n = p.length();
        int i = 0;
        while (i < n) {
            char c = p.charAt(i);
            if (c == '?' || c == '#') {
                break;
            }
            if (c == '/') {
                i++;
                continue;
            }
            int start = i;
            while (i < n && (c = p.charAt(i)) != '/' && c != '?' && c != '#') {
                i++;
            }
            addSegment(start, i);
        }
    }

    /** As {@link #split}, on a String (monomorphic {@code charAt}, which the JIT compiles to a byte load). */
    private void splitString(String p) {
        int n = p.length();
        int start = -1;
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                if (start >= 0 && i > start) {
                    addSegment(start, i);
                }
                if (c != '/') {
                    return;
                }
                start = i + 1;
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0 && n > start) {
            addSegment(start, n);
        }
    }

    private void addSegment(int start, int end) {
        if (segments == starts.length) {
            starts = Arrays.copyOf(starts, segments * 2);
            ends = Arrays.copyOf(ends, segments * 2);
        }
        starts[segments] = start;
        ends[segments] = end;
        segments++;
    }

    CharSequence method() {
        return method;
    }

    CharSequence path() {
        return path;
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


    void addHit(int routeId) {
        hits[hitCount++] = routeId;
    }

    int hitCount() {
        return hitCount;
    }

    int hit(int i) {
        return hits[i];
    }

    int[] bestRoute() {
        return bestRoute;
    }

    int[] touched() {
        return touched;
    }

    int[] groupBest() {
        return groupBest;
    }

    /** Appends an applied rule; its key and member buffers are cleared for the caller to fill. */
    void addApplied(int rule, int route) {
        appliedRule[size] = rule;
        appliedRoute[size] = route;
        keys[size].clear();
        members[size].clear();
        size++;
    }

    KeyBuffer lastKey() {
        return keys[size - 1];
    }

    KeyBuffer lastMember() {
        return members[size - 1];
    }
}
