package dev.limiter.benchmarks.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One JMH result (one benchmark method at one thread count) with the figures the report shows.
 * Immutable.
 *
 * @param question   the benchmark class's simple name, e.g. {@code SingleKeyAllowedBenchmark}
 * @param method     the benchmark method, e.g. {@code engineOwnClock}
 * @param threads    benchmark threads
 * @param score      primary score (ops/µs for throughput benchmarks)
 * @param error      the 99.9% confidence half-width JMH reports; NaN with a single iteration
 * @param unit       the score's unit
 * @param allocNorm  {@code gc.alloc.rate.norm} in bytes per op; NaN without {@code -prof gc}
 * @param granted    granted calls per µs ({@code @AuxCounters}); NaN when not counted
 * @param denied     denied calls per µs; NaN when not counted
 * @param settings   how JMH ran it: forks, warm-up and measurement, JVM, arguments
 */
public record JmhRow(String question, String method, int threads, double score, double error, String unit,
                     double allocNorm, double granted, double denied, Settings settings) {

    /**
     * How one result was run.
     *
     * @param forks        forks
     * @param warmup       warm-up iterations and time, e.g. "5 × 1 s"
     * @param measurement  measurement iterations and time
     * @param jvm          JDK version, VM name and version
     * @param jmh          JMH version
     * @param jvmArgs      the forked JVM's arguments
     */
    public record Settings(int forks, String warmup, String measurement, String jvm, String jmh, String jvmArgs) {
    }

    /** @return the row held by one element of a JMH JSON result array */
    @SuppressWarnings("unchecked")
    public static JmhRow of(Map<String, Object> r) {
        String full = (String) r.get("benchmark");
        String[] parts = full.split("\\.");
        String question = parts[parts.length - 2];
        String method = parts[parts.length - 1] + params(r.get("params"));
        Map<String, Object> primary = (Map<String, Object>) r.get("primaryMetric");
        Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
        Object args = r.get("jvmArgs");
        Settings settings = new Settings(
                (int) Json.num(r.get("forks")),
                iterations(r.get("warmupIterations"), r.get("warmupTime")),
                iterations(r.get("measurementIterations"), r.get("measurementTime")),
                r.get("jdkVersion") + " (" + r.get("vmName") + " " + r.get("vmVersion") + ")",
                String.valueOf(r.get("jmhVersion")),
                args instanceof List ? String.join(" ", (List<String>) args) : "");
        String unit = String.valueOf(primary.get("scoreUnit"));
        double scale = "ops/s".equals(unit) ? 1e-6 : 1.0;   // one unit across the report: ops/µs
        return new JmhRow(question, method, (int) Json.num(r.get("threads")),
                Json.num(primary.get("score")) * scale, Json.num(primary.get("scoreError")) * scale,
                scale == 1.0 ? unit : "ops/us",
                secondaryScore(secondary, "gc.alloc.rate.norm"),
                secondaryScore(secondary, "granted"), secondaryScore(secondary, "denied"), settings);
    }

    /** @return " [k=v, …]" for a parameterised benchmark, so each parameter set is its own row; else "" */
    @SuppressWarnings("unchecked")
    private static String params(Object params) {
        if (!(params instanceof Map) || ((Map<String, Object>) params).isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" [");
        ((Map<String, Object>) params).forEach((k, v) -> b.append(b.length() > 2 ? ", " : "").append(k).append('=')
                .append(v));
        return b.append(']').toString();
    }

    private static String iterations(Object count, Object time) {
        return (int) Json.num(count) + " × " + time;
    }

    @SuppressWarnings("unchecked")
    private static double secondaryScore(Map<String, Object> secondary, String name) {
        Object m = secondary.get(name);
        return m instanceof Map ? Json.num(((Map<String, Object>) m).get("score")) : Double.NaN;
    }

    /** @return whether this method measures this engine */
    public boolean isEngine() {
        return method.startsWith("engine");
    }

    /** @return whether this result is a physical floor rather than a limiter */
    public boolean isFloor() {
        return question.contains("Floors");
    }

    /** @return share of calls granted, in [0, 1], or NaN when not counted */
    public double grantedShare() {
        double total = granted + denied;
        return total > 0 ? granted / total : Double.NaN;
    }

    /** @return "12.34 ± 0.56", or the score alone when the error is undefined */
    public String scoreWithError() {
        return Double.isNaN(error) ? fmt(score) + " ± n/a" : fmt(score) + " ± " + fmt(error);
    }

    /** @return a figure with two decimals (one above 100), as the report prints it */
    public static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.2f", v);
    }
}
