package dev.limiter.benchmarks.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.PolicyEvaluator;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.NylasV3;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * Decisions per second of the shipped Nylas v3 policy on a mixed request stream: route matching,
 * key extraction and the engine decision, end to end, as a gateway calls it.
 *
 * <p>The stream is precomputed ({@code NylasV3Stream}): 4,096 requests over ten request shapes,
 * {@code grants} grants and 64 API keys. "Now" is handed in and advances by
 * {@code stepNanos} per request, so the mix of admissions and denials is fixed by the parameters,
 * not by the machine's speed: with the default 1 &micro;s step (a million requests per simulated
 * second) most requests are denied, with 1 ms nearly all are admitted. The admitted and denied
 * counts are reported as auxiliary counters.
 *
 * <p>Run (after {@code mvn -q -o package -pl limiter-api,limiter-engine,limiter-policies,benchmarks -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar NylasV3 -f 1 -wi 3 -i 5 -w 2s -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class NylasV3DecisionBenchmark {
    private static final int STREAM = NylasV3Stream.SIZE;

    /** Distinct grants in the stream. */
    @Param({"1024"})
    public int grants;

    /** Simulated nanoseconds between two requests. */
    @Param({"1000", "1000000"})
    public long stepNanos;

    private RequestView[] stream;
    private PolicyGate gate;
    private PolicyEvaluator evaluator;
    private RouteMatcher matcher;
    private MatchResult match;
    private long now;
    private int next;

    /**
     * Admissions and denials, per iteration; and calls with this thread's CPU time over the
     * iteration, so that {@code cpuNanos / calls} is the CPU cost of one call, which other load on
     * the machine inflates far less than it does the wall-clock throughput.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Outcomes {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long admitted;
        public long denied;
        public long calls;
        public long cpuNanos;
        private long cpuAtStart;

        @Setup(Level.Iteration)
        public void reset() {
            admitted = 0;
            denied = 0;
            calls = 0;
            cpuNanos = 0;
            cpuAtStart = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void stop() {
            cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        stream = NylasV3Stream.build(grants);
        gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(4L * grants).build();
        evaluator = gate.newEvaluator();
        matcher = gate.matcher();
        match = matcher.newResult();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gate.close();
    }

    /** One full decision: match, keys, one engine decision, verdict. */
    @Benchmark
    public boolean decide(Outcomes outcomes) {
        outcomes.calls++;
        now += stepNanos;
        Verdict v = evaluator.evaluate(stream[next++ & (STREAM - 1)], now);
        boolean ok = v.allowed();
        v.complete(); // a gateway completes every verdict, which lets the evaluator reuse it
        if (ok) {
            outcomes.admitted++;
        } else {
            outcomes.denied++;
        }
        return ok;
    }

    /** Route matching and key extraction alone, for comparison. */
    @Benchmark
    public int matchOnly(Outcomes outcomes) {
        outcomes.calls++;
        return matcher.match(stream[next++ & (STREAM - 1)], match).size();
    }
}
