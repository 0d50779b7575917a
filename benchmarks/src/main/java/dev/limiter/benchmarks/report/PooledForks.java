package dev.limiter.benchmarks.report;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * run.sh takes the benchmarks closest to their targets in several passes of one fork each, every
 * pass running every contender once, instead of one pass of several forks per contender: on a
 * host whose speed drifts within minutes, back-to-back forks of one contender share one phase of
 * the host and a ratio line compares phases as much as code. This puts the passes back together:
 * the results of one benchmark (same name, parameters and threads) become one result whose
 * iterations are all of theirs, scored as JMH scores forks: the mean of every measurement
 * iteration, and the half-width of the 99.9% Student's t interval around it.
 */
/** Merges the JMH results of one benchmark taken in several runs into one, as if its forks had run in one. */
final class PooledForks {
    private static final double CONFIDENCE = 0.999;

    private PooledForks() {
    }

    /** @return {@code results}, each benchmark's results merged into its first (in order); the input is not modified */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> pool(List<Map<String, Object>> results) {
        Map<String, List<Map<String, Object>>> byBenchmark = new LinkedHashMap<>();
        for (Map<String, Object> r : results) {
            String key = r.get("benchmark") + " " + r.get("mode") + " " + r.get("params") + " " + r.get("threads");
            byBenchmark.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Map<String, Object>> same : byBenchmark.values()) {
            out.add(same.size() == 1 ? same.get(0) : merge(same));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(List<Map<String, Object>> same) {
        Map<String, Object> merged = new LinkedHashMap<>(same.get(0));
        int forks = 0;
        List<Map<String, Object>> primaries = new ArrayList<>();
        for (Map<String, Object> r : same) {
            forks += (int) Json.num(r.get("forks"));
            primaries.add((Map<String, Object>) r.get("primaryMetric"));
        }
        merged.put("forks", (double) forks);
        merged.put("primaryMetric", metric(primaries));
        Map<String, Object> secondaries = new LinkedHashMap<>();
        Map<String, Object> first = (Map<String, Object>) same.get(0).getOrDefault("secondaryMetrics", Map.of());
        for (String name : first.keySet()) {
            List<Map<String, Object>> each = new ArrayList<>();
            for (Map<String, Object> r : same) {
                Object m = ((Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of())).get(name);
                if (m instanceof Map) {
                    each.add((Map<String, Object>) m);
                }
            }
            if (each.size() == same.size()) {          // a metric some run lacks is left out, not guessed
                secondaries.put(name, metric(each));
            }
        }
        merged.put("secondaryMetrics", secondaries);
        return merged;
    }

    /** @return one metric from several runs' metrics: pooled iterations, their mean and 99.9% half-width */
    @SuppressWarnings("unchecked")
    static Map<String, Object> metric(List<Map<String, Object>> each) {
        List<Object> forks = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Map<String, Object> m : each) {
            Object raw = m.get("rawData");
            if (!(raw instanceof List)) {
                throw new IllegalArgumentException("a result to pool has no rawData: " + m);
            }
            for (Object fork : (List<Object>) raw) {
                forks.add(fork);
                for (Object v : (List<Object>) fork) {
                    values.add(Json.num(v));
                }
            }
        }
        int n = values.size();
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        double error = Double.NaN;
        if (n > 1) {
            double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
            error = t * Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
        }
        Map<String, Object> m = new LinkedHashMap<>(each.get(0));
        m.put("score", mean);
        m.put("scoreError", error);
        m.put("scoreConfidence", List.of(mean - error, mean + error));
        m.put("rawData", forks);
        m.remove("scorePercentiles");                // not recomputed: the report does not read them
        return m;
    }
}
