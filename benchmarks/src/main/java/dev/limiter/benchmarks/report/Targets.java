package dev.limiter.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The targets of issue 3, each checked against one run: met, not met, or no data. Every ratio is
 * against the best competitor in the same run, as the issue asks.
 */
public final class Targets {
    /**
     * One target and where the run stands.
     *
     * @param target  what is asked
     * @param figure  what was measured
     * @param status  "met", "**not met**" or "no data"
     */
    public record Line(String target, String figure, String status) {
    }

    private static final String ALLOWED = "SingleKeyAllowedBenchmark";
    private static final String DENIED = "SingleKeyDeniedBenchmark";
    private static final String MANY = "OneMillionKeysBenchmark";
    private static final String FLOORS = "FloorsBenchmark";

    private Targets() {
    }

    /** @return every target line for {@code results} and the off-heap bytes per key (NaN if unknown) */
    public static List<Line> check(Results results, double offHeapBytesPerKey) {
        List<Line> lines = new ArrayList<>();
        lines.add(ratio(results, "single key, 1 thread, engine reads its own clock: ≥ 1.5× best competitor",
                ALLOWED, "engineOwnClock", 1, 1.5));
        lines.add(ratio(results, "single key, 1 thread, \"now\" passed in: ≥ 3× best competitor",
                ALLOWED, "engineNowPassed", 1, 3.0));
        lines.add(ratio(results, "single key, 2 threads on one key (own clock): ≥ 1× best competitor",
                ALLOWED, "engineOwnClock", 2, 1.0));
        lines.add(ratio(results, "rejection path, 1 thread (own clock): ≥ 2× best competitor",
                DENIED, "engineOwnClock", 1, 2.0));
        lines.add(ratio(results, "1M keys, 1 thread (own clock): ≥ 5× best competitor", MANY, "engineOwnClock", 1, 5.0));
        lines.add(ratio(results, "1M keys, 2 threads (own clock): ≥ 5× best competitor", MANY, "engineOwnClock", 2, 5.0));
        lines.add(floor(results, 1));
        lines.add(floor(results, 2));
        lines.add(allocation(results));
        lines.add(new Line("off-heap bytes per key (token bucket, 1M keys): ≤ 32",
                Double.isNaN(offHeapBytesPerKey) ? "n/a" : JmhRow.fmt(offHeapBytesPerKey) + " B",
                Double.isNaN(offHeapBytesPerKey) ? "no data" : status(offHeapBytesPerKey <= 32)));
        return lines;
    }

    private static Line ratio(Results r, String target, String question, String method, int threads, double want) {
        Optional<JmhRow> engine = r.find(question, method, threads);
        Optional<JmhRow> best = r.bestCompetitor(question, threads);
        if (engine.isEmpty() || best.isEmpty()) {
            return new Line(target, "n/a", "no data");
        }
        double ratio = engine.get().score() / best.get().score();
        String figure = String.format(Locale.ROOT, "%.2f× (%s vs %s %s ops/µs)", ratio,
                JmhRow.fmt(engine.get().score()), ReportText.label(best.get().method()),
                JmhRow.fmt(best.get().score()));
        return new Line(target, figure, status(ratio >= want));
    }

    /** Within 2× of the random-read floor: the engine's throughput is at least half the floor's. */
    private static Line floor(Results r, int threads) {
        String target = "1M keys, " + threads + (threads == 1 ? " thread" : " threads")
                + ": within 2× of the random-read floor (own clock)";
        Optional<JmhRow> engine = r.find(MANY, "engineOwnClock", threads);
        Optional<JmhRow> passed = r.find(MANY, "engineNowPassed", threads);
        Optional<JmhRow> floor = r.find(FLOORS, "randomReadOffHeap", threads);
        if (engine.isEmpty() || floor.isEmpty()) {
            return new Line(target, "n/a", "no data");
        }
        double slowdown = floor.get().score() / engine.get().score();
        String figure = String.format(Locale.ROOT, "%.2f× the floor's time per op (%s vs %s ops/µs)", slowdown,
                JmhRow.fmt(engine.get().score()), JmhRow.fmt(floor.get().score()));
        if (passed.isPresent()) {
            figure += String.format(Locale.ROOT, "; now passed: %.2f×", floor.get().score() / passed.get().score());
        }
        Optional<JmhRow> cas = r.find(FLOORS, "randomCasOffHeap", threads);
        if (cas.isPresent()) {
            figure += String.format(Locale.ROOT, "; vs the read + CAS floor (%s ops/µs): %.2f×",
                    JmhRow.fmt(cas.get().score()), cas.get().score() / engine.get().score());
        }
        return new Line(target, figure, status(slowdown <= 2.0));
    }

    private static Line allocation(Results r) {
        String target = "0 B/op on every allowed and denied path of this engine";
        double worst = Double.NaN;
        String where = "";
        for (JmhRow row : r.rows()) {
            if (row.isEngine() && !Double.isNaN(row.allocNorm()) && !(row.allocNorm() <= worst)) {
                worst = row.allocNorm();
                where = row.question() + "." + row.method() + " ×" + row.threads();
            }
        }
        if (Double.isNaN(worst)) {
            return new Line(target, "n/a (run with -prof gc)", "no data");
        }
        // JMH's allocation figure carries a few milli-bytes of measurement noise; below 0.5 B/op is nothing.
        return new Line(target, "worst " + String.format(Locale.ROOT, "%.3f", worst) + " B/op (" + where + ")",
                status(worst < 0.5));
    }

    private static String status(boolean met) {
        return met ? "met" : "**not met**";
    }
}
