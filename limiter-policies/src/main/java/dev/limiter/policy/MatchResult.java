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
    // The canonical method and path, computed once and used for matching and keys alike.
    private final KeyBuffer method = new KeyBuffer();
    private final CanonicalPath path = new CanonicalPath();
    private CharSequence rawPath;
    /**
     * The last {@value #SPELLINGS} method spellings canonicalised that were Strings (immutable: the
     * same object is the same spelling), with each one's canonical chars and the matcher's method
     * bit position ({@link RouteMethods#indexOf}, or -1 until known), so that a request with one of
     * them skips the work: a stream of GET and POST requests keeps both.
     */
    private static final int SPELLINGS = 4;
    private static final int MAX_METHOD_LENGTH = 32;
    private final String[] spellings = new String[SPELLINGS];
    private final char[][] spelledAs = new char[SPELLINGS][MAX_METHOD_LENGTH];
    private final int[] spelledLength = new int[SPELLINGS];
    private final int[] spelledIndex = new int[SPELLINGS];
    private int nextSpelling;
    /** The entry of {@link #spellings} this request's method has, or -1. */
    private int spelling = -1;
    private int refusalStatus;
    private String refusalMessage;
    private Rule refusingRule;
    // Routes hit by the trie walk, then the best route per rule.
    private final int[] hits;
    private int hitCount;
    private final int[] bestRoute;
    private final int[] touched;
    private final int[] groupBest;
    // The routes of the rules that apply, in rule order, before their keys are read.
    private final int[] chosen;
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
        this.groupBest = new int[2 * matcher.groupCount()];
        this.chosen = new int[rules];
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

    /**
     * @return the canonical path the rules were matched against (for inspection and tests; the
     *     hot path never calls it): decoded, dot segments removed, no empty segments, no path
     *     parameters, no query; empty when the path was refused
     */
    public String canonicalPath() {
        return path.toString();
    }

    /** @return the canonical method (upper case, HEAD read as GET), as a new String */
    public String canonicalMethod() {
        return method.toString();
    }

    /** @return how many rules apply */
    public int size() {
        return size;
    }

    /** @return the {@code i}-th applying rule */
    public Rule rule(int i) {
        return matcher.rule(ruleIndex(i));
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
        return matcher.cost(appliedRoute[check(i)]);
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
        return path.subSequence(path.segmentStart(seg), path.segmentEnd(seg)).toString();
    }

    /** Forgets the last request (and every reference to it). */
    public void clear() {
        size = 0;
        hitCount = 0;
        method.clear();
        rawPath = null;
        refusalStatus = 0;
        refusalMessage = null;
        refusingRule = null;
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("rule " + i + " of " + size);
        }
        return i;
    }

    /**
     * @return the status of a refused request (400 for a path that cannot be canonicalised or a
     *     missing key part, or the status the rule's key part chose); 0 when not refused
     */
    public int refusalStatus() {
        return refusalStatus;
    }

    /** @return why the request was refused; null when it was not */
    public String refusalMessage() {
        return refusalMessage;
    }

    /** @return the rule whose key could not be extracted; null when not refused or refused for its path */
    public Rule refusingRule() {
        return refusingRule;
    }

    // ---- used by RouteMatcher ----

    /** Canonicalises method and path; on failure records the refusal and returns false. */
    boolean reset(CharSequence method, CharSequence path) {
        clear();
        this.rawPath = path;
        if (!canonicalMethod(method)) {
            this.path.forget(); // no path of an earlier request shows through a refused one
            refuse(400, "the method is not an HTTP method token", null);
            return false;
        }
        if (!this.path.canonicalise(path, matcher.transitions())) {
            refuse(400, this.path.error(), null);
            return false;
        }
        return true;
    }

    /**
     * Upper-cases the method (methods are compared case-insensitively, so that no spelling of a
     * method costs less than the method) and reads HEAD as GET (a server answers it with the same
     * work); refuses anything that is not an RFC 9110 token of at most 32 characters.
     */
    private boolean canonicalMethod(CharSequence m) {
        for (int i = 0; i < SPELLINGS; i++) {
            if (spellings[i] == m) {
                method.append(spelledAs[i], spelledLength[i]);
                spelling = i;
                return true;
            }
        }
        spelling = -1;
        int n = m.length();
        if (n == 0 || n > MAX_METHOD_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = m.charAt(i);
            if (!Chars.isTokenChar(c)) {
                return false;
            }
            method.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        char[] u = method.chars;
        if (n == 4 && u[0] == 'H' && u[1] == 'E' && u[2] == 'A' && u[3] == 'D') {
            method.clear().append("GET", 0, 3);
        }
        if (m instanceof String) {
            spelling = nextSpelling;
            nextSpelling = (nextSpelling + 1) % SPELLINGS;
            spellings[spelling] = (String) m;
            System.arraycopy(method.chars, 0, spelledAs[spelling], 0, method.length());
            spelledLength[spelling] = method.length();
            spelledIndex[spelling] = -1;
        }
        return true;
    }

    /** Sets the canonical path to {@code segments} as they are, for building the matcher's automaton. */
    void resetToSegments(java.util.List<String> segments) {
        clear();
        path.setSegments(segments);
    }

    void refuse(int status, String message, Rule rule) {
        size = 0;
        if (refusalStatus == 0) {
            refusalStatus = status;
            refusalMessage = message;
            refusingRule = rule;
        }
    }

    boolean refused() {
        return refusalStatus != 0;
    }

    CharSequence method() {
        return method;
    }

    /** @return the method bit position remembered for this request's method spelling, or -1 */
    int knownMethodIndex() {
        return spelling < 0 ? -1 : spelledIndex[spelling];
    }

    /** Remembers the method bit position of this request's method, for the next request with the same spelling. */
    void knowMethodIndex(int index) {
        if (spelling >= 0) {
            spelledIndex[spelling] = index;
        }
    }

    CharSequence path() {
        return path;
    }

    /** @return the canonical path's chars, {@code [0, path().length())} (the array, not a copy) */
    char[] pathChars() {
        return path.chars;
    }

    /** @return the canonical method's chars, {@code [0, method().length())} (the array, not a copy) */
    char[] methodChars() {
        return method.chars;
    }

    CharSequence rawPath() {
        return rawPath;
    }

    int segmentCount() {
        return path.segmentCount();
    }

    /** @return the automaton state the canonical pass walked the path to, or -1 when it did not walk */
    int walkedState() {
        return path.walkedState();
    }

    int segmentStart(int i) {
        return path.segmentStart(i);
    }

    int segmentEnd(int i) {
        return path.segmentEnd(i);
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

    int[] chosen() {
        return chosen;
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
