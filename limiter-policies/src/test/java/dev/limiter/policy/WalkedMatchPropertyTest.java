package dev.limiter.policy;

import dev.limiter.policy.shipped.ContextIo;
import dev.limiter.policy.shipped.ContextIo2;
import dev.limiter.policy.shipped.ContextIoLite;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import dev.limiter.policy.shipped.UpstreamProviders;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * The matcher's fast path (the canonical pass stepping the automaton's flat transitions as it
 * finds each segment, one result reused from request to request with its remembered method
 * spellings) against the matcher that walks the trie and selects at every request, on a fresh
 * result each time: for requests to the shipped policies built from their own literals, spelled
 * adversarially (case, percent-encoding, dot segments, doubled and trailing slashes, path
 * parameters, queries, very long segments, method spellings), both must give the same outcome:
 * refusal, rules, routes, costs, keys and members. The same holds for threads sharing one matcher.
 */
class WalkedMatchPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);
    private static final Policy[] POLICIES = {
        NylasV3.policy(), NylasV2.policy(), ContextIo.policy(), ContextIo2.policy(), ContextIoLite.policy(),
        UpstreamProviders.google(), UpstreamProviders.googleCurrent(), UpstreamProviders.microsoft(),
        UpstreamProviders.icloud(),
    };
    /** Pieces a path is made of besides the policy's own literals: values, escapes, dots, separators. */
    private static final String[] NOISE = {
        "", ".", "..", "%2E", "%2e%2E", "me", "ME", "g-1", "x%41y", "%C3%A9", "\u00e9", ";v=1", "a;b", "%2F", "%",
        "%zz", "\\", "x".repeat(300), "y".repeat(5_000), "?q=/../a", "#top", "m-17",
    };
    private static final String[] METHODS = {"GET", "POST", "get", "Post", "HEAD", "head", "PUT", "DELETE", "PATCH",
        "G\u00c9T", ""};
    private static final String[] AUTHORIZATION = {"Bearer key-1", "bearer  key-2 ", "BEARER key-1", null, ""};
    private static final String[] CONTENT_TYPES = {"application/json", "multipart/form-data; boundary=b", null};

    /** A request spec: policy, method, authorization, content type, trailing slash, then path pieces. */
    private static Gen<List<Integer>> spec() {
        return lists().of(integers().between(0, 1_000)).ofSizeBetween(5, 12);
    }

    @Test
    void theWalkedMatchEqualsTheTrieWalk() {
        Compiled[] compiled = compiled();
        MatchResult[] reused = new MatchResult[POLICIES.length];
        for (int p = 0; p < POLICIES.length; p++) {
            reused[p] = compiled[p].walked.newResult();
        }
        int[] walked = new int[1];
        qt().withExamples(EXAMPLES).forAll(spec()).checkAssert(spec -> {
            int p = spec.get(0) % POLICIES.length;
            Request request = request(spec);
            String expected = outcome(compiled[p].trie.match(request, compiled[p].trie.newResult()));
            MatchResult r = compiled[p].walked.match(request, reused[p]);
            walked[0] += r.walkedState() >= 0 ? 1 : 0;
            assertEquals(expected, outcome(r), () -> request + " in " + POLICIES[p].name());
        });
        assertTrue(walked[0] > EXAMPLES / 10, "the canonical pass walked the automaton " + walked[0] + " times");
    }

    @Test
    void threadsSharingOneMatcherGetWhatOneThreadGets() throws Exception {
        Compiled[] compiled = compiled();
        qt().withExamples(Math.max(10, EXAMPLES / 20)).forAll(lists().of(spec()).ofSizeBetween(1, 40))
                .checkAssert(specs -> {
                    List<Request> requests = new ArrayList<>();
                    List<String> expected = new ArrayList<>();
                    for (List<Integer> spec : specs) {
                        int p = spec.get(0) % POLICIES.length;
                        Request request = request(spec);
                        requests.add(request);
                        expected.add(outcome(compiled[p].trie.match(request, compiled[p].trie.newResult())));
                    }
                    for (List<String> seen : race(compiled, specs, requests)) {
                        assertEquals(expected, seen, () -> requests.toString());
                    }
                });
    }

    /** Three threads, started together, each matching every request on its own results. */
    private static List<List<String>> race(Compiled[] compiled, List<List<Integer>> specs, List<Request> requests) {
        int threads = 3;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<List<String>> task = () -> {
                    MatchResult[] own = new MatchResult[POLICIES.length];
                    start.await(10, TimeUnit.SECONDS);
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < requests.size(); i++) {
                        int p = specs.get(i).get(0) % POLICIES.length;
                        if (own[p] == null) {
                            own[p] = compiled[p].walked.newResult();
                        }
                        seen.add(outcome(compiled[p].walked.match(requests.get(i), own[p])));
                    }
                    return seen;
                };
                futures.add(pool.submit(task));
            }
            List<List<String>> out = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Per policy, the literal segments of its templates. */
    private static final String[][] LITERALS = new String[POLICIES.length][];

    static {
        for (int p = 0; p < POLICIES.length; p++) {
            TreeSet<String> ls = new TreeSet<>();
            for (Rule r : POLICIES[p].rules()) {
                for (Route route : r.routes()) {
                    for (String s : route.template().toString().substring(1).split("/")) {
                        if (!s.isEmpty() && !s.startsWith("{") && !s.contains("*")) {
                            ls.add(s);
                        }
                    }
                }
            }
            LITERALS[p] = ls.toArray(new String[0]);
        }
    }

    /** One policy compiled both ways. */
    private static final class Compiled {
        final RouteMatcher walked;
        final RouteMatcher trie;

        Compiled(Policy policy) {
            this.walked = RouteMatcher.compile(policy);
            this.trie = RouteMatcher.compile(policy, false);
        }
    }

    private static Compiled[] compiled() {
        Compiled[] out = new Compiled[POLICIES.length];
        for (int p = 0; p < POLICIES.length; p++) {
            out[p] = new Compiled(POLICIES[p]);
        }
        assertTrue(out[0].walked.transitions() != null, "the Nylas v3 matcher has an automaton");
        return out;
    }

    /**
     * The request a spec describes. Each path piece is one of the policy's literals (most often;
     * as written, upper case, with its last char changed or cut, or with its first char escaped) or a noise piece,
     * and a slash joins them; literals are taken from one policy so that requests reach deep states.
     */
    private static Request request(List<Integer> spec) {
        int p = spec.get(0) % POLICIES.length;
        String[] literals = LITERALS[p];
        StringBuilder path = new StringBuilder();
        for (int i = 5; i < spec.size(); i++) {
            int x = spec.get(i);
            String piece;
            if (x < 900) {
                String l = literals[x % literals.length];
                int spelling = x / literals.length % 8;
                piece = spelling == 1 ? l.toUpperCase(Locale.ROOT)
                        : spelling == 2 ? lastCharChanged(l) // same length and slot, no literal
                        : spelling == 4 ? l.substring(0, l.length() - 1)
                        : spelling == 3 ? String.format("%%%02X", (int) l.charAt(0)) + l.substring(1) : l;
            } else {
                piece = NOISE[x % NOISE.length];
            }
            path.append('/').append(piece);
        }
        if (path.length() == 0 || spec.get(4) % 4 == 0) {
            path.append('/');
        }
        Request.Builder b = Request.of(METHODS[spec.get(1) % METHODS.length], path.toString())
                .header("Authorization", AUTHORIZATION[spec.get(2) % AUTHORIZATION.length])
                .header("Content-Type", CONTENT_TYPES[spec.get(3) % CONTENT_TYPES.length]);
        return b.build();
    }

    private static String lastCharChanged(String l) {
        char last = l.charAt(l.length() - 1);
        return l.substring(0, l.length() - 1) + (last == 'z' ? 'y' : 'z');
    }

    /** Everything a match decides, as text: the refusal, or each applying rule with route, cost, key and member. */
    private static String outcome(MatchResult r) {
        if (r.refusalStatus() != 0) {
            return "refused " + r.refusalStatus() + " " + r.refusalMessage() + " by "
                    + (r.refusingRule() == null ? null : r.refusingRule().name()) + " at " + r.canonicalPath();
        }
        StringBuilder sb = new StringBuilder(r.canonicalMethod() + " " + r.canonicalPath() + ":");
        for (int i = 0; i < r.size(); i++) {
            sb.append(' ').append(r.rule(i).name()).append(" via ").append(r.route(i).template())
                    .append(" cost ").append(r.cost(i)).append(" key ").append(printable(r.key(i)))
                    .append(" member ").append(printable(r.member(i)));
        }
        return sb.toString();
    }

    private static String printable(CharSequence s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 ? "\\" + (int) c + "\\" : String.valueOf(c));
        }
        return sb.toString();
    }
}
