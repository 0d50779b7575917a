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
 */
public final class NylasV3DecisionWorkload implements LongUnaryOperator, AutoCloseable {
    private final RequestView[] stream;
    private final PolicyGate gate;
    private final PolicyEvaluator evaluator;
    private final long step = Long.getLong("ab.stepNanos", 1_000);
    private long now;
    private int next;

    public NylasV3DecisionWorkload() {
        int grants = Integer.getInteger("ab.grants", 1_024);
        stream = NylasV3Stream.build(grants);
        gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(4L * grants).build();
        evaluator = gate.newEvaluator();
    }

    @Override
    public long applyAsLong(long n) {
        long admitted = 0;
        for (long i = 0; i < n; i++) {
            now += step;
            Verdict v = evaluator.evaluate(stream[next++ & (NylasV3Stream.SIZE - 1)], now);
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
