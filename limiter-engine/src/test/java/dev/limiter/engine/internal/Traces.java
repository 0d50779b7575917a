package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import org.quicktheories.core.Gen;

import java.util.List;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/** Generators of limits and request traces, shared by the kernel properties. */
final class Traces {
    /** Property effort: 1,000 cases unless the build says otherwise. */
    static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);

    private Traces() {
    }

    /** A limit's figures: small, huge, and in-between permits and periods. */
    static final class Spec {
        final long permits;
        final long period;
        final long burst;

        Spec(long permits, long period, long burst) {
            this.permits = permits;
            this.period = period;
            this.burst = burst;
        }

        @Override
        public String toString() {
            return "N=" + permits + " per T=" + period + "ns, burst " + burst;
        }
    }

    /** One request: time moves by dt (backwards when {@code back}), then key asks for permits. */
    static final class Step {
        final long dt;
        final boolean back;
        final int key;
        final long permits;

        Step(long dt, boolean back, int key, long permits) {
            this.dt = dt;
            this.back = back;
            this.key = key;
            this.permits = permits;
        }

        @Override
        public String toString() {
            return (back ? "-" : "+") + dt + "ns k" + key + " p" + permits;
        }
    }

    /** A whole generated case, printed readably when shrunk. */
    static final class Case {
        final Spec spec;
        final long start;
        final List<Step> steps;

        Case(Spec spec, long start, List<Step> steps) {
            this.spec = spec;
            this.start = start;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return spec + ", start " + start + ", steps " + steps;
        }
    }

    /** Cases over limits with (or without) a separate burst. */
    static Gen<Case> cases(boolean withBurst, int keys) {
        return specs(withBurst).flatMap(spec -> starts().zip(steps(spec, keys), (start, steps) -> new Case(spec, start, steps)));
    }

    static Gen<Long> permits() {
        return longs().between(1, 12)
                .mix(longs().between(1, 1_000_000_000L), 25)
                .mix(longs().between(1, 1L << 40), 5);
    }

    static Gen<Long> periods() {
        return longs().between(1, 1_000)
                .mix(longs().between(1_000_000L, 10_000_000_000L), 40)
                .mix(longs().between(3_000_000_000_000_000_000L, Long.MAX_VALUE), 10); // ~100 years and more
    }

    static Gen<Spec> specs(boolean withBurst) {
        return permits().zip(periods(), integers().between(1, 300), (n, t, burstPercent) -> {
            long burst = withBurst ? Math.max(1, Math.min(1L << 40, n * burstPercent / 100)) : n;
            return new Spec(n, t, burst);
        });
    }

    /** Start times on the whole clock range: zero, negative, crossing zero, near both ends. */
    static Gen<Long> starts() {
        return longs().between(-1_000, 1_000)
                .mix(longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 1_000_000), 15)
                .mix(longs().between(Long.MAX_VALUE - 100_000_000_000L, Long.MAX_VALUE), 15)
                .mix(longs().all(), 20);
    }

    /** Steps whose time deltas are scaled to the period: stalls, fractions, jumps. */
    static Gen<List<Step>> steps(Spec spec, int keys) {
        long t = spec.period;
        long perPermit = Math.max(1, t / spec.permits);
        Gen<Long> dts = longs().between(0, 0)
                .mix(longs().between(0, Math.max(1, 2 * perPermit)), 60)
                .mix(longs().between(0, Math.max(1, Math.min(t, Long.MAX_VALUE / 4))), 20)
                .mix(longs().between(0, 1L << 40), 5);
        Gen<Long> asks = longs().between(1, Math.min(spec.burst, 3))
                .mix(longs().between(1, Math.max(1, spec.burst)), 30)
                .mix(longs().between(spec.burst, spec.burst + 2), 5);
        Gen<Step> step = dts.zip(booleans().all().mix(booleans().all().map(b -> false), 90),
                integers().between(0, keys - 1), asks, Step::new);
        return lists().of(step).ofSizeBetween(1, 120);
    }

    /** @return now + dt (or - dt), clamped to the long range, as a clock that saturates would give */
    static long move(long now, Step s) {
        return s.back ? TimeMath.addSaturated(now, -s.dt) : TimeMath.addSaturated(now, s.dt);
    }
}
