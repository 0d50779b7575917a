package dev.limiter.benchmarks.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.PolicyEvaluator;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.NylasV3;

import java.util.function.LongUnaryOperator;

/**
 * {@link NylasV3DecisionBenchmark#decide}'s work as an {@code ab.InterleavedComparison} workload:
 * full Nylas v3 decisions on the same request stream, "now" advancing {@code ab.stepNanos}
 * (default 1,000) per request over {@code ab.grants} grants (default 1,024); returns the admissions.
 * {@code ab.requests} (a power of two, default and at most 4,096) cycles over the stream's first
 * requests only: 64 keep every request in the first-level cache, which leaves the compute alone.
 */
public final class NylasV3DecisionWorkload implements LongUnaryOperator, AutoCloseable {
    private final RequestView[] stream;
    private final PolicyGate gate;
    private final PolicyEvaluator evaluator;
    private final long step = Long.getLong("ab.stepNanos", 1_000);
    private final int mask;
    private long now;
    private int next;

    public NylasV3DecisionWorkload() {
        int grants = Integer.getInteger("ab.grants", 1_024);
        stream = NylasV3Stream.build(grants);
        int requests = Integer.getInteger("ab.requests", NylasV3Stream.SIZE);
        if (requests < 1 || requests > NylasV3Stream.SIZE || Integer.bitCount(requests) != 1) {
            throw new IllegalArgumentException("ab.requests must be a power of two up to " + NylasV3Stream.SIZE);
        }
        mask = requests - 1;
        gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(4L * grants).build();
        evaluator = gate.newEvaluator();
    }

    @Override
    public long applyAsLong(long n) {
        long admitted = 0;
        for (long i = 0; i < n; i++) {
            now += step;
            Verdict v = evaluator.evaluate(stream[next++ & mask], now);
            admitted += v.allowed() ? 1 : 0;
            v.complete();
        }
        return admitted;
    }

    @Override
    public void close() {
        gate.close();
    }
}
