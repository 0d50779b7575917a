package dev.limiter.engine.internal.time;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/** Each branch-free comparison agrees with the JDK's own on every pair, the ends of the range included. */
class BranchFreeTest {
    private static final long[] EDGES = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -2, -1, 0, 1, 2, Long.MAX_VALUE - 1,
        Long.MAX_VALUE};

    private static void agree(long a, long b) {
        String pair = a + ", " + b;
        assertEquals(a < b ? 1 : 0, BranchFree.below(a, b), "below " + pair);
        assertEquals(Long.compareUnsigned(a, b) < 0 ? 1 : 0, BranchFree.belowUnsigned(a, b), "belowUnsigned " + pair);
        assertEquals(a != 0 ? 1 : 0, BranchFree.nonZero(a), "nonZero " + a);
    }

    @Test
    void agreesAtTheEdgesOfTheRange() {
        for (long a : EDGES) {
            for (long b : EDGES) {
                agree(a, b);
                agree(a, a + b);
            }
        }
    }

    @Test
    void agreesOnRandomPairs() {
        qt().withExamples(20_000).forAll(longs().all(), longs().all()).checkAssert(BranchFreeTest::agree);
    }
}
