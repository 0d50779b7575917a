package dev.limiter.engine;

import org.quicktheories.core.Gen;

import java.util.List;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The input of a concurrent property: a limit of N permits per T ns and, per phase, a clock step and
 * the asks (integers each property decodes into key, permits and route).
 */
record PhasedSchedule(long permits, long period, List<Long> steps, List<List<Integer>> asks) {

    /** @return schedules of {@code phases} phases of 1 to {@code maxAsks} asks below {@code askBound}, N in 1..6, T in 10..2000 ns */
    static Gen<PhasedSchedule> gen(int phases, int askBound, int maxAsks) {
        return longs().between(1, 6).zip(longs().between(10, 2_000), (n, t) -> new long[] {n, t}).flatMap(s -> {
            Gen<List<Integer>> phase = lists().of(integers().between(0, askBound)).ofSizeBetween(1, maxAsks);
            return lists().of(longs().between(0, 2 * s[1])).ofSize(phases)
                    .zip(lists().of(phase).ofSize(phases), (steps, asks) -> new PhasedSchedule(s[0], s[1], steps, asks));
        });
    }

    @Override
    public String toString() {
        return "N=" + permits + ", T=" + period + "ns, steps " + steps + ", asks " + asks;
    }
}
