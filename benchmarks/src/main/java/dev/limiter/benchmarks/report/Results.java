package dev.limiter.benchmarks.report;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every JMH row of one run, with the look-ups the report needs: one result, the best competitor
 * of a workload, and the ratio of this engine to it. Immutable.
 */
public final class Results {
    private final List<JmhRow> rows;

    /** Wraps the rows. */
    public Results(List<JmhRow> rows) {
        this.rows = List.copyOf(rows);
    }

    /** @return every row */
    public List<JmhRow> rows() {
        return rows;
    }

    /** @return the row of {@code question.method} at {@code threads} threads */
    public Optional<JmhRow> find(String question, String method, int threads) {
        return rows.stream()
                .filter(r -> r.question().equals(question) && r.method().equals(method) && r.threads() == threads)
                .findFirst();
    }

    /** @return the competitor with the highest score on {@code question} at {@code threads} threads */
    public Optional<JmhRow> bestCompetitor(String question, int threads) {
        return rows.stream()
                .filter(r -> r.question().equals(question) && r.threads() == threads && !r.isEngine() && !r.isFloor())
                .max(Comparator.comparingDouble(JmhRow::score));
    }

    /** @return {@code row}'s score over the best competitor's in the same workload, or NaN */
    public double ratioToBest(JmhRow row) {
        return bestCompetitor(row.question(), row.threads()).map(b -> row.score() / b.score()).orElse(Double.NaN);
    }

    /** @return the benchmark classes present, in the report's order (known questions first) */
    public List<String> questions() {
        List<String> order = List.of("SingleKeyAllowedBenchmark", "SingleKeyDeniedBenchmark",
                "OneMillionKeysBenchmark", "FloorsBenchmark");
        TreeSet<String> present = new TreeSet<>(Comparator.comparingInt((String q) -> {
            int i = order.indexOf(q);
            return i < 0 ? order.size() : i;
        }).thenComparing(Comparator.naturalOrder()));
        rows.forEach(r -> present.add(r.question()));
        return List.copyOf(present);
    }

    /** @return the thread counts run for {@code question}, ascending */
    public List<Integer> threads(String question) {
        TreeSet<Integer> t = new TreeSet<>();
        rows.stream().filter(r -> r.question().equals(question)).forEach(r -> t.add(r.threads()));
        return List.copyOf(t);
    }

    /** The order methods are shown in: this engine's variants, the competitors, the floors, then the rest. */
    private static final List<String> METHOD_ORDER = List.of("engineOwnClock", "engineNowPassed", "engineHandle",
            "engineHandleNowPassed", "bucket4jLockFree", "bucket4jSynchronized", "resilience4j", "guava",
            "nanoTime", "currentTimeMillis", "casOffHeap", "nanoTimeCasOffHeap", "nanoTimeKeyedCasOffHeap",
            "nanoTimeReadOffHeap", "nanoTimeKeyedReadOffHeap", "randomReadOffHeap", "randomCasOffHeap",
            "batchReadCasOffHeap", "randomReadHeap", "mapLookup");

    /** @return {@code question}'s rows at {@code threads}, in {@link #METHOD_ORDER}, engine first */
    public List<JmhRow> of(String question, int threads) {
        return rows.stream().filter(r -> r.question().equals(question) && r.threads() == threads)
                .sorted(Comparator.comparing((JmhRow r) -> !r.isEngine()).thenComparingInt(r -> {
                    int i = METHOD_ORDER.indexOf(r.method());
                    return i < 0 ? METHOD_ORDER.size() : i;
                }).thenComparing(JmhRow::method))
                .toList();
    }
}
