package dev.limiter.benchmarks.ab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tukey's hinges on odd and even counts, unsorted input left as it was. */
class QuartilesTest {

    @Test
    void oddCountHalvesShareTheMedian() {
        assertEquals(new Quartiles(2, 3, 4), Quartiles.of(new double[] {5, 1, 3, 2, 4}));
    }

    @Test
    void evenCountAveragesTheMiddlePairs() {
        double[] v = {8, 2, 6, 4, 1, 7, 3, 5};
        assertEquals(new Quartiles(2.5, 4.5, 6.5), Quartiles.of(v));
        assertArrayEquals(new double[] {8, 2, 6, 4, 1, 7, 3, 5}, v);
    }

    @Test
    void oneValueIsEveryQuartile() {
        assertEquals(new Quartiles(7, 7, 7), Quartiles.of(new double[] {7}));
    }

    @Test
    void noValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Quartiles.of(new double[0]));
    }
}
