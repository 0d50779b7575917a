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
 *
 * <p>The trie is also compiled into a deterministic automaton whose states hold the outcome of
 * the steps that depend only on the path and method, so that a request costs one walk over its
 * segments, a lookup, and the conditions and exemptions of the rules left; a policy whose
 * automaton would be too large walks the trie and selects at every request, with the same result.
 */
public final class RouteMatcher {
    private final Policy policy;
    private final RouteTrie trie;
    private final Rule[] rules;
    private final int[] groupOf;
    private final int groupCount;
    /** Per route: the path segment of each of its template's variables, and their names. */
    private final int[][] variableSegments;
    private final String[][] variableNames;
    /** Per route: the owning rule, and its template's specificity (the order of {@link PathTemplate#compareTo}). */
    private final int[] routeRule;
    private final long[] specificity;
    /** Per route: the permits one request takes (the route's cost, or its rule's when the route has none). */
    private final long[] cost;
    /** Per route: its methods as bits of {@link RouteMethods}, or every bit for any method. */
    private final RouteMethods methods;
    private final long[] methodMask;
    private final boolean[] methodsOverflowed;
    private final boolean[] catchAll;
    private final KeyPart[][] keyParts;
    private final KeyPart[][] memberParts;
    private final Condition[][] conditions;
    private final Condition[][] exemptions;
    /** The trie made deterministic, with plans; null when the policy's routes are too many to make one. */
    private final RouteAutomaton automaton;
    /** The automaton's transitions, which the canonical pass walks; null without an automaton. */
    private final Transitions transitions;

    private RouteMatcher(Policy policy, boolean determinise) {
        this.policy = policy;
        List<Rule> list = policy.rules();
        this.rules = list.toArray(new Rule[0]);
        this.trie = new RouteTrie(list);
        Map<String, Integer> groups = new HashMap<>();
        this.groupOf = new int[rules.length];
        this.keyParts = new KeyPart[rules.length][];
        this.memberParts = new KeyPart[rules.length][];
        this.conditions = new Condition[rules.length][];
        this.catchAll = new boolean[rules.length];
        this.exemptions = new Condition[rules.length][];
        for (int i = 0; i < rules.length; i++) {
            Rule r = rules[i];
            groupOf[i] = r.group() == null ? -1 : groups.computeIfAbsent(r.group(), g -> groups.size());
            keyParts[i] = r.key().toArray(new KeyPart[0]);
            memberParts[i] = r.member().toArray(new KeyPart[0]);
            conditions[i] = r.conditions().toArray(new Condition[0]);
            exemptions[i] = r.exemptions().toArray(new Condition[0]);
            catchAll[i] = r.catchAll();
        }
        this.groupCount = groups.size();
        int n = trie.routeCount();
        this.variableSegments = new int[n][];
        this.variableNames = new String[n][];
        this.routeRule = new int[n];
        this.specificity = new long[n];
        this.cost = new long[n];
        this.methods = new RouteMethods(trie);
        this.methodMask = new long[n];
        this.methodsOverflowed = new boolean[n];
        for (int id = 0; id < n; id++) {
            PathTemplate t = trie.route(id).template();
            variableNames[id] = t.variables().stream().map(String::intern).toArray(String[]::new); // see variableSegment
            routeRule[id] = trie.ruleOf(id);
            specificity[id] = t.specificity();
            long c = trie.route(id).cost();
            cost[id] = c == Route.DEFAULT_COST ? rules[routeRule[id]].cost() : c;
            methodMask[id] = methods.mask(trie.route(id));
            methodsOverflowed[id] = methods.overflowed(trie.route(id));
            List<Integer> segs = new ArrayList<>();
            for (int s = 0; s < t.segmentCount(); s++) {
                if (t.kind(s) == PathTemplate.Kind.VARIABLE) {
                    segs.add(s);
                }
            }
            variableSegments[id] = segs.stream().mapToInt(Integer::intValue).toArray();
        }
        boolean overflowed = false;
        for (boolean o : methodsOverflowed) {
            overflowed |= o;
        }
        this.automaton = overflowed || !determinise ? null
                : RouteAutomaton.build(trie, methods.count(), new PlanStages(), new MatchResult(this));
        this.transitions = automaton == null ? null : automaton.transitions();
    }

    /** Compiles {@code policy}'s routes into a matcher. */
    public static RouteMatcher compile(Policy policy) {
        return new RouteMatcher(policy, true);
    }

    /**
     * As {@link #compile}; without {@code determinise}, the matcher walks the trie and selects
     * rules at every request, as it does for a policy too large to determinise (for tests).
     */
    static RouteMatcher compile(Policy policy, boolean determinise) {
        return new RouteMatcher(policy, determinise);
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

    /** @return the automaton's transitions, for the canonical pass to walk; null when the matcher walks the trie */
    Transitions transitions() {
        return transitions;
    }

    int groupCount() {
        return groupCount;
    }

    Rule rule(int index) {
        return rules[index];
    }

    long cost(int routeId) {
        return cost[routeId];
    }

    int variableSegment(int routeId, int variable) {
        return variableSegments[routeId][variable];
    }

    /** @return the segment of variable {@code name} of route {@code routeId}; by identity when {@code name} is interned */
    int variableSegment(int routeId, String name) {
        String[] names = variableNames[routeId];
        int v = 0;
        while (names[v] != name && !names[v].equals(name)) {
            v++;
        }
        return variableSegments[routeId][v];
    }

    String templateText(int routeId) {
        return template(routeId).toString();
    }

    /**
     * Finds the rules that apply to {@code request} and their keys, from the request's canonical
     * form (see {@link CanonicalPath}; the method upper case, HEAD read as GET). A request whose
     * path cannot be canonicalised, or whose key a rule cannot extract and must refuse, comes back
     * {@link MatchResult#refusalStatus() refused}: no rule applies to it.
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
        CharSequence rawMethod = request.method();
        CharSequence rawPath = request.path();
        if (rawMethod == null || rawPath == null) {
            throw new IllegalArgumentException("request has no " + (rawMethod == null ? "method" : "path") + ": "
                    + request);
        }
        if (!into.reset(rawMethod, rawPath)) {
            return into;
        }
        int[] chosen = null;
        int n;
        if (automaton != null) {
            int method = into.knownMethodIndex();
            if (method < 0) {
                method = methods.indexOf(into);
                into.knowMethodIndex(method);
            }
            RouteAutomaton.Plan plan = automaton.plan(into, method);
            chosen = plan.fixed;
            n = chosen == null ? choose(request, into, load(plan.routes, into)) : chosen.length;
        } else {
            trie.match(into);
            n = choose(request, into, candidates(into, methods.bitOf(into)));
        }
        if (chosen == null) {
            chosen = into.chosen();
        }
        for (int i = 0; i < n; i++) {
            int id = chosen[i];
            int rule = routeRule[id];
            into.addApplied(rule, id);
            if (!buildKey(keyParts[rule], id, request, into, rules[rule], into.lastKey())
                    || memberParts[rule].length > 0
                    && !buildKey(memberParts[rule], id, request, into, rules[rule], into.lastMember())) {
                return into;
            }
        }
        return into;
    }

    /**
     * The first stage, on the trie's hits in {@code into}: each rule keeps its most specific route
     * whose methods include the request's ({@code methodBit}).
     *
     * @return how many rules have a route: their indexes, ascending, in {@code into.touched()}, and
     *     each one's route in {@code into.bestRoute()}
     */
    private int candidates(MatchResult into, long methodBit) {
        int[] best = into.bestRoute();
        long[] spec = specificity;
        int touched = 0;
        int[] order = into.touched();
        for (int h = 0; h < into.hitCount(); h++) {
            int id = into.hit(h);
            if ((methodMask[id] & methodBit) == 0
                    || methodsOverflowed[id] && !trie.route(id).matchesMethod(into.method())) {
                continue;
            }
            int rule = routeRule[id];
            int current = best[rule];
            if (current < 0) {
                order[touched++] = rule;
                best[rule] = id;
            } else if (spec[id] > spec[current]) {
                best[rule] = id;
            }
        }
        sort(order, touched);
        return touched;
    }

    /** Puts a plan's candidate routes where {@link #candidates} would: see there. */
    private int load(int[] routes, MatchResult into) {
        int[] best = into.bestRoute();
        int[] order = into.touched();
        for (int i = 0; i < routes.length; i++) {
            int rule = routeRule[routes[i]];
            order[i] = rule;
            best[rule] = routes[i];
        }
        return routes.length;
    }

    /**
     * The second stage, on the {@code touched} candidates of the first: drops rules whose
     * conditions fail, catch-alls while a regular rule (of their group) applies, rules less
     * specific than the best of their group, and rules with a satisfied exemption. Leaves
     * {@code into.bestRoute()} all -1 again.
     *
     * @param request read only for conditions and exemptions
     * @return how many rules apply: their routes, in rule order, in {@code into.chosen()}
     */
    private int choose(RequestView request, MatchResult into, int touched) {
        int[] best = into.bestRoute();
        int[] order = into.touched();
        long[] spec = specificity;
        // groupBest[g]: the best route of group g's regular rules; [groupCount + g]: of its catch-all rules.
        int[] groupBest = into.groupBest();
        for (int g = 0; g < groupBest.length; g++) {
            groupBest[g] = -1;
        }
        boolean regular = false;
        for (int i = 0; i < touched; i++) {
            int rule = order[i];
            if (!all(conditions[rule], request)) {
                best[rule] = -1;
                continue;
            }
            regular |= !catchAll[rule];
            int g = groupOf[rule];
            int slot = catchAll[rule] ? groupCount + g : g;
            if (g >= 0 && (groupBest[slot] < 0 || spec[best[rule]] > spec[groupBest[slot]])) {
                groupBest[slot] = best[rule];
            }
        }
        int[] chosen = into.chosen();
        int n = 0;
        for (int i = 0; i < touched; i++) {
            int rule = order[i];
            int id = best[rule];
            best[rule] = -1;
            if (id < 0 || catchAll[rule] && (groupOf[rule] >= 0 ? groupBest[groupOf[rule]] >= 0 : regular)) {
                continue; // not matched, or a catch-all while a regular rule (of its group) applies
            }
            int g = groupOf[rule];
            int slot = catchAll[rule] ? groupCount + g : g;
            if (g >= 0 && spec[id] < spec[groupBest[slot]]) {
                continue;
            }
            if (any(exemptions[rule], request)) {
                continue;
            }
            chosen[n++] = id;
        }
        return n;
    }

    /** The automaton's view of the two stages, for its plans: see {@link RouteAutomaton}. */
    private final class PlanStages implements RouteAutomaton.Stages {
        @Override
        public int[] candidates(MatchResult m, long bit) {
            int touched = RouteMatcher.this.candidates(m, bit);
            int[] routes = new int[touched];
            for (int i = 0; i < touched; i++) {
                routes[i] = m.bestRoute()[m.touched()[i]];
                m.bestRoute()[m.touched()[i]] = -1;
            }
            return routes;
        }

        @Override
        public int[] fixed(int[] routes, MatchResult m) {
            for (int id : routes) {
                int rule = routeRule[id];
                if (conditions[rule].length > 0 || exemptions[rule].length > 0) {
                    return null;
                }
            }
            int n = choose(null, m, load(routes, m));
            return Arrays.copyOf(m.chosen(), n);
        }
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

    private boolean buildKey(KeyPart[] parts, int routeId, RequestView request, MatchResult m, Rule rule,
                             KeyBuffer key) {
        for (KeyPart part : parts) {
            if (!KeyReader.read(part, 1, this, routeId, request, m, rule, key)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "RouteMatcher[" + policy.name() + " " + policy.version() + ": " + trie.routeCount() + " routes, "
                + rules.length + " rules]";
    }
}
