package dev.limiter.benchmarks.policy;

import dev.limiter.Decision;
import dev.limiter.ManualClock;
import dev.limiter.RateLimiter;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.shipped.NylasV3;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Question: what do the parts of a Nylas v3 decision cost on their own, on the same request
 * stream as {@link NylasV3DecisionBenchmark}, so that its figures can be read against floors?
 *
 * <ul>
 *   <li>{@code touchRequest}: read the last char of the request's path and of its
 *       {@code Authorization} value, nothing else: the cache misses any decision on this stream
 *       pays to reach the request's bytes (a gateway's request has just been parsed, so its
 *       bytes are usually in cache);</li>
 *   <li>{@code canonicalPass}: copy the path into a char buffer and scan it once for segment
 *       boundaries, the least any canonicalisation does;</li>
 *   <li>{@code matchFloor}: read every char of the path up to its query once (a matcher must: every
 *       spelling of a resource costs the same, and an escape anywhere can change the route) and
 *       every char of the {@code Authorization} value (the key is hashed whole), with no copy, no
 *       route lookup and no key built: the least a match and key extraction on this stream do;</li>
 *   <li>{@code decisionFloor}: {@code matchFloor}'s reads, then the engine's decision on the
 *       request's key, prebuilt as a String: the least a whole decision does. The engine names a
 *       string key by its 128-bit fingerprint (the design's guard against colliding keys chosen by
 *       strangers), so every decision keyed by a request's text hashes that text; only building the
 *       key is left out;</li>
 *   <li>{@code decisionFloorLongKey}: the same with the key as a precomputed 64-bit number, which
 *       no decision on a request's text can have: the floor the line was read against until it
 *       counted the hash, kept so that both read side by side;</li>
 *   <li>{@code grantLookup}: one {@code HashMap<String, long[]>.get} of the request's grant id,
 *       already cut out of the path (a separate String per request): the floor of a design that
 *       finds per-grant state in a hash map;</li>
 *   <li>{@code engineStringAcquire}: the engine's string-key acquire alone, with the key, cost and
 *       limiter the matcher chooses for the request (keys prebuilt as Strings);</li>
 *   <li>{@code engineLongAcquire}: the same with a 64-bit key per string key (hashed in advance):
 *       what the engine costs when the key is already a number.</li>
 * </ul>
 *
 * <p>Each call counts itself in {@link NylasV3DecisionBenchmark.Outcomes}, so that the CPU time per
 * call can be read as it is there.
 *
 * <p>Run together with the decision benchmark, so that all figures come from one span of time:
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'NylasV3|PolicyFloors' -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class PolicyFloorsBenchmark {
    private static final int MASK = NylasV3Stream.SIZE - 1;

    /** Distinct grants in the stream, as in {@link NylasV3DecisionBenchmark}'s default. */
    static final int GRANTS = 1_024;

    private final RequestView[] stream = NylasV3Stream.build(GRANTS);
    private final char[] buffer = new char[256];
    private final String[] grantOf = new String[NylasV3Stream.SIZE];
    private final Map<String, long[]> grantState = new HashMap<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < grantOf.length; i++) {
            grantOf[i] = new String(NylasV3Stream.grant(i, GRANTS));
            grantState.putIfAbsent(grantOf[i], new long[2]);
        }
    }

    /** The engine with the limiter, key and cost the matcher chooses for each request of the stream. */
    @State(Scope.Thread)
    public static class Engine {
        /** Simulated nanoseconds between two requests (as in {@link NylasV3DecisionBenchmark}). */
        @Param({"1000", "1000000"})
        public long stepNanos;

        private PolicyGate gate;
        private final RateLimiter[] limiterOf = new RateLimiter[NylasV3Stream.SIZE];
        private final String[] keyOf = new String[NylasV3Stream.SIZE];
        private final long[] longKeyOf = new long[NylasV3Stream.SIZE];
        private final long[] costOf = new long[NylasV3Stream.SIZE];
        private final Decision decision = new Decision();
        private long now;
        private int next;

        @Setup(Level.Trial)
        public void setUp() {
            RequestView[] stream = NylasV3Stream.build(GRANTS);
            gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(4L * GRANTS).build();
            RouteMatcher matcher = gate.matcher();
            MatchResult m = matcher.newResult();
            for (int i = 0; i < stream.length; i++) {
                matcher.match(stream[i], m);
                if (m.size() != 1) {
                    throw new IllegalStateException(stream[i] + " applies " + m.size() + " rules, expected 1");
                }
                limiterOf[i] = gate.engine().rateLimiter(m.rule(0).limit().name());
                keyOf[i] = m.key(0).toString();
                longKeyOf[i] = mix(keyOf[i]);
                costOf[i] = m.cost(0);
            }
        }

        private static long mix(String s) {
            long h = s.hashCode() * 0x9E3779B97F4A7C15L + s.length();
            return h ^ (h >>> 29);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            gate.close();
        }
    }

    /** Reaching the request's bytes: the last char of its path and of its API key. */
    @Benchmark
    public int touchRequest(NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        RequestView r = stream[next++ & MASK];
        CharSequence p = r.path();
        CharSequence a = r.header("authorization");
        return p.charAt(p.length() - 1) + a.charAt(a.length() - 1);
    }

    /** One copy and one scan of the path: the segments before the query. */
    @Benchmark
    public int canonicalPass(NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        CharSequence p = stream[next++ & MASK].path();
        int n = p.length();
        char[] b = buffer;
        ((String) p).getChars(0, n, b, 0);
        int segments = 0;
        for (int i = 0; i < n; i++) {
            char c = b[i];
            if (c == '?') {
                break;
            }
            segments += c == '/' ? 1 : 0;
        }
        return segments;
    }

    /** Every char of the path (to its query) and of the API key, read once: see the class comment. */
    @Benchmark
    public int matchFloor(NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        return readPathAndKey(stream[next++ & MASK]);
    }

    /** {@link #matchFloor}'s reads, then the engine's decision with the request's string key. */
    @Benchmark
    public boolean decisionFloor(Engine e, NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        int i = e.next++ & MASK;
        e.now += e.stepNanos;
        int read = readPathAndKey(stream[i]);
        return e.limiterOf[i].tryAcquire(e.keyOf[i], e.costOf[i], e.now, e.decision) ^ read == Integer.MIN_VALUE;
    }

    /** {@link #matchFloor}'s reads, then the engine's decision with a 64-bit key per request key. */
    @Benchmark
    public boolean decisionFloorLongKey(Engine e, NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        int i = e.next++ & MASK;
        e.now += e.stepNanos;
        int read = readPathAndKey(stream[i]);
        return e.limiterOf[i].tryAcquire(e.longKeyOf[i], e.costOf[i], e.now, e.decision) ^ read == Integer.MIN_VALUE;
    }

    /**
     * @return a value of every char of the request's path up to its query and of its API key, each
     *     read once with {@code charAt} (faster here than a bulk copy and a scan of the copy: 11.3
     *     against 8.3 M/s, 4 interleaved forks each)
     */
    private static int readPathAndKey(RequestView r) {
        CharSequence p = r.path();
        int h = r.method().length();
        for (int i = 0, n = p.length(); i < n; i++) {
            char c = p.charAt(i);
            if (c == '?' || c == '#') {
                break;
            }
            h += c;
        }
        CharSequence a = r.header("authorization");
        for (int i = 0, n = a.length(); i < n; i++) {
            h += a.charAt(i);
        }
        return h;
    }

    /** One hash-map lookup of the request's grant. */
    @Benchmark
    public long[] grantLookup(NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        return grantState.get(grantOf[next++ & MASK]);
    }

    /** The engine's decision alone, with the matcher's string key. */
    @Benchmark
    public boolean engineStringAcquire(Engine e, NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        int i = e.next++ & MASK;
        e.now += e.stepNanos;
        return e.limiterOf[i].tryAcquire(e.keyOf[i], e.costOf[i], e.now, e.decision);
    }

    /** The engine's decision alone, with a 64-bit key. */
    @Benchmark
    public boolean engineLongAcquire(Engine e, NylasV3DecisionBenchmark.Outcomes o) {
        o.calls++;
        int i = e.next++ & MASK;
        e.now += e.stepNanos;
        return e.limiterOf[i].tryAcquire(e.longKeyOf[i], e.costOf[i], e.now, e.decision);
    }
}
