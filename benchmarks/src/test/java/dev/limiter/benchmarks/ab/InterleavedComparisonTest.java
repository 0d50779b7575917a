package dev.limiter.benchmarks.ab;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order of slices, what is recorded, and that the two builds' classes stay apart. */
class InterleavedComparisonTest {

    /** Records which build ran each slice (one entry per slice, not per chunk). */
    private static final class Recorder {
        final List<Character> slices = new ArrayList<>();

        LongUnaryOperator op(char name) {
            return n -> {
                if (slices.isEmpty() || slices.get(slices.size() - 1) != name) {
                    slices.add(name);
                }
                return n;
            };
        }
    }

    @Test
    void roundsAlternateWhichBuildGoesFirstAndWarmUpIsNotRecorded() {
        Recorder r = new Recorder();
        InterleavedComparison c = new InterleavedComparison(r.op('A'), r.op('B'), 100_000, 16);
        InterleavedComparison.Summary s = c.run(3, 2);
        // rounds -2, -1, 0, 1, 2 run A B, B A, A B, B A, A B; a build's two consecutive slices merge in the
        // record, so that always A then B would read A B ten times
        assertEquals(List.of('A', 'B', 'A', 'B', 'A', 'B'), r.slices);
        assertEquals(3, s.rateA().length);
        assertEquals(3, s.rateB().length);
        for (int i = 0; i < 3; i++) {
            assertTrue(s.rateA()[i] > 0 && s.rateB()[i] > 0, "round " + i + " has no rate");
        }
    }

    @Test
    void ratioIsRoundByRound() {
        InterleavedComparison.Summary s = new InterleavedComparison.Summary(new double[] {1, 2, 4}, new double[] {2, 2, 2});
        double[] q = s.ratios();
        assertEquals(2.0, q[0]);
        assertEquals(1.0, q[1]);
        assertEquals(0.5, q[2]);
        assertTrue(s.render("w").contains("B / A, same round: 1.000 (quartiles 0.750 to 1.500)"), s.render("w"));
    }

    @Test
    void noRoundsIsRefused() {
        InterleavedComparison c = new InterleavedComparison(n -> n, n -> n, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> c.run(0, 0));
    }

    @Test
    void eachBuildLoadsItsOwnCopyOfEveryClass() throws Exception {
        String classes = new File(InterleavedComparison.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).getPath();
        String name = Quartiles.class.getName();
        try (URLClassLoader a = InterleavedComparison.loader(classes);
             URLClassLoader b = InterleavedComparison.loader(File.pathSeparator + classes)) {
            Class<?> ca = Class.forName(name, false, a);
            Class<?> cb = Class.forName(name, false, b);
            assertNotSame(ca, cb);
            assertNotSame(Quartiles.class, ca);
            assertNotSame(Quartiles.class, cb);
            assertThrows(ClassNotFoundException.class, () -> Class.forName(InterleavedComparisonTest.class.getName(),
                    false, a), "the application class path leaked into a build's loader");
        }
        assertThrows(IllegalArgumentException.class, () -> InterleavedComparison.loader(File.pathSeparator));
    }

    @Test
    void aWorkloadMustBeALongUnaryOperator() throws Exception {
        String classes = new File(InterleavedComparison.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).getPath();
        try (URLClassLoader a = InterleavedComparison.loader(classes)) {
            assertThrows(IllegalArgumentException.class, () -> Workload.create(a, Quartiles.class.getName()));
        }
    }
}
