package dev.limiter.benchmarks.ab;

import java.util.Arrays;

/**
 * The median and the lower and upper quartiles of a sample, each the mean of the two middle values
 * where the sample (or half-sample) has an even count (Tukey's hinges); immutable.
 */
record Quartiles(double lower, double median, double upper) {

    /** @return the quartiles of {@code values} (not modified), at least one value */
    static Quartiles of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        int half = (n + 1) / 2; // each half includes the median when n is odd
        return new Quartiles(median(v, 0, half), median(v, 0, n), median(v, n - half, n));
    }

    private static double median(double[] sorted, int from, int to) {
        int n = to - from;
        int mid = from + n / 2;
        return n % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
