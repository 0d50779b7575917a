package dev.limiter.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/*
 * The route trie made deterministic, with the rule selection that does not depend on the request
 * worked out in advance, so that matching a canonical path is one walk over its segments and a
 * lookup.
 *
 * States. A state is the set of trie nodes that one path prefix reaches (every node whose
 * template prefix matches it: a literal child, the variable child and the '*' child of each node
 * of the parent state). Its transitions: one per literal of its nodes (lower case; a segment is
 * compared ignoring ASCII case, as the trie does), and "other" for any segment that is none of
 * them (only the variable and '*' children follow). A state with no nodes left is a sink: what
 * the path holds after it can change nothing (only the '**' routes met on the way match), so it has
 * no literals and every segment leads back to it. States are never shared between prefixes, so each one also stands for the
 * '**' routes met on its way.
 *
 * Plans. For a path that ends in a state, and for each method bit of RouteMethods, the plan is
 * the matcher's first stage (routes that take the method, each rule's most specific route)
 * computed once, at construction, by running the trie walk on a representative path of the state:
 * its literals, and for "other" a segment equal to no literal. The trie walk on any path ending in
 * the state hits the same routes in the same order, so the plan equals what the walk would give,
 * ties of equal specificity included. When none of a plan's rules has a condition or an
 * exemption, the second stage (precedence groups, catch-alls) depends on nothing else either, and
 * the plan also holds its result ("fixed"): the applied routes, in order.
 *
 * Walking. The states, built as objects, are numbered in the order they were built (the start is
 * 0) and flattened into Transitions: a state finds a segment's literal with one probe of a 64-slot
 * table indexed by the segment's length and first char (slots shared by several literals are
 * scanned), then one comparison; the canonical path's segments are never empty. The canonical
 * pass walks them as it scans a path that is already canonical (CanonicalPath), and plan() walks
 * the segments of any other path after the general pass; both end in the same state.
 *
 * Bounded: construction gives up (and the matcher walks the trie instead) beyond MAX_STATES
 * states, about 300 bytes each. Immutable after construction, so one automaton serves every
 * thread.
 */
final class RouteAutomaton {
    /** The most states built before giving up. */
    static final int MAX_STATES = 1 << 12;

    /** The first stage for the representative path in a {@link MatchResult}: see {@link RouteMatcher}. */
    interface Stages {
        /** @return the routes chosen per rule (ordered by rule) for the path in {@code m} and method {@code bit} */
        int[] candidates(MatchResult m, long bit);

        /** @return the applied routes for {@code candidates}, or null when that depends on the request */
        int[] fixed(int[] candidates, MatchResult m);
    }

    /** What a path ending in one state gets, for one method: see the class comment. */
    static final class Plan {
        /** Each candidate rule's route, in rule order. */
        final int[] routes;
        /** The applied routes, in rule order, when they depend on nothing in the request; else null. */
        final int[] fixed;

        Plan(int[] routes, int[] fixed) {
            this.routes = routes;
            this.fixed = fixed;
        }
    }

    /** A state while it is built: see the class comment. */
    private static final class State {
        final int number;
        char[][] literals;
        State[] onLiteral;
        State other;
        Plan[] plans;

        State(int number) {
            this.number = number;
        }
    }

    /** A state still to build: the trie nodes its prefix reaches, and a representative prefix. */
    private record Pending(State state, List<RouteTrie.Node> nodes, List<String> segments) {
    }

    private final Transitions transitions;
    /** The plan of state s for method bit position i: {@code plans[s * methods + i]}. */
    private final Plan[] plans;
    private final int methods;

    private RouteAutomaton(List<State> states, int methods) {
        int n = states.size();
        char[][][] literals = new char[n][][];
        int[][] onLiteral = new int[n][];
        int[] other = new int[n];
        this.plans = new Plan[n * methods];
        this.methods = methods;
        for (State s : states) {
            literals[s.number] = s.literals;
            onLiteral[s.number] = new int[s.onLiteral.length];
            for (int k = 0; k < s.onLiteral.length; k++) {
                onLiteral[s.number][k] = s.onLiteral[k].number;
            }
            other[s.number] = s.other.number;
            System.arraycopy(s.plans, 0, plans, s.number * methods, methods);
        }
        this.transitions = new Transitions(literals, onLiteral, other);
    }

    /**
     * Determinises {@code trie}.
     *
     * @param methods how many method bits there are: bit {@code i} is {@code 1L << i}, except the
     *     last, which is {@link RouteMethods#OTHER}
     * @return the automaton, or null when it would have more than {@link #MAX_STATES} states
     */
    static RouteAutomaton build(RouteTrie trie, int methods, Stages stages, MatchResult scratch) {
        Map<String, Plan> plans = new HashMap<>();
        List<State> built = new ArrayList<>();
        State start = new State(0);
        built.add(start);
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        pending.add(new Pending(start, List.of(trie.root()), List.of()));
        int states = 1;
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            State state = p.state();
            List<RouteTrie.Node> nodes = p.nodes();
            List<String> segments = p.segments();
            state.plans = plans(trie, segments, methods, stages, scratch, plans);
            TreeSet<String> literals = new TreeSet<>();
            for (RouteTrie.Node n : nodes) {
                literals.addAll(n.literalNames());
            }
            if (nodes.isEmpty()) { // a sink: nothing after it changes the outcome
                state.literals = new char[0][];
                state.onLiteral = new State[0];
                state.other = state;
                continue;
            }
            state.literals = new char[literals.size()][];
            state.onLiteral = new State[literals.size()];
            states += literals.size() + 1;
            if (states > MAX_STATES) {
                return null;
            }
            int k = 0;
            for (String literal : literals) {
                state.literals[k] = literal.toCharArray();
                List<RouteTrie.Node> next = new ArrayList<>();
                for (RouteTrie.Node n : nodes) {
                    RouteTrie.Node child = n.literalChild(literal);
                    if (child != null) {
                        next.add(child);
                    }
                }
                addWildcards(nodes, next);
                state.onLiteral[k] = new State(built.size());
                built.add(state.onLiteral[k]);
                pending.add(new Pending(state.onLiteral[k], next, append(segments, literal)));
                k++;
            }
            List<RouteTrie.Node> next = new ArrayList<>();
            addWildcards(nodes, next);
            state.other = new State(built.size());
            built.add(state.other);
            pending.add(new Pending(state.other, next, append(segments, unlike(literals))));
        }
        return new RouteAutomaton(built, methods);
    }

    /** @return the flat transitions, which the canonical pass walks as it scans a path */
    Transitions transitions() {
        return transitions;
    }

    /** @return the start state's number */
    static int start() {
        return 0;
    }

    /**
     * @return the plan for the canonical path already in {@code m} and method bit {@code methodIndex}
     *     (see {@link RouteMethods#indexOf}): from the state the canonical pass reached, or else
     *     walking the path's segments; allocation-free
     */
    Plan plan(MatchResult m, int methodIndex) {
        int s = m.walkedState();
        if (s < 0) {
            s = start();
            char[] path = m.pathChars();
            int n = m.segmentCount();
            Transitions t = transitions;
            for (int i = 0; i < n; i++) {
                s = t.step(s, path, m.segmentStart(i), m.segmentEnd(i), path.length);
            }
        }
        return plans[s * methods + methodIndex];
    }

    private static Plan[] plans(RouteTrie trie, List<String> segments, int methods, Stages stages,
                                MatchResult scratch, Map<String, Plan> shared) {
        scratch.resetToSegments(segments);
        trie.match(scratch);
        Plan[] out = new Plan[methods];
        for (int i = 0; i < methods; i++) {
            long bit = i == methods - 1 ? RouteMethods.OTHER : 1L << i;
            int[] routes = stages.candidates(scratch, bit);
            out[i] = shared.computeIfAbsent(Arrays.toString(routes),
                    k -> new Plan(routes, stages.fixed(routes, scratch)));
        }
        scratch.clear();
        return out;
    }

    private static void addWildcards(List<RouteTrie.Node> from, List<RouteTrie.Node> into) {
        for (RouteTrie.Node n : from) {
            if (n.variable() != null) {
                into.add(n.variable());
            }
            if (n.star() != null) {
                into.add(n.star());
            }
        }
    }

    private static List<String> append(List<String> segments, String segment) {
        List<String> out = new ArrayList<>(segments);
        out.add(segment);
        return out;
    }

    /** @return a segment equal to none of {@code literals}, ignoring case */
    private static String unlike(TreeSet<String> literals) {
        String s = "\uFFFF";
        while (literals.contains(s)) {
            s += "\uFFFF";
        }
        return s;
    }
}
