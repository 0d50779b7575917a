package dev.limiter.benchmarks.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Three one-fork results pooled read as JMH itself scored the same iterations as one run of three
 * forks: the reference is JMH 1.37's own score and 99.9% error for these iterations (a quality run's
 * {@code BatchAcquireBenchmark.engineBatch}, batch 16).
 */
class PooledForksTest {
    private static final List<List<Double>> FORKS = List.of(
            List.of(20.165669542477037, 19.92970317257643, 18.90572505576346, 19.66579123737153, 19.36104061770176),
            List.of(20.21059592106794, 20.586419687331027, 20.645360667599974, 20.764315584141276, 20.67654746903692),
            List.of(20.94610895669658, 20.722794693845238, 20.13848159455915, 18.20046462269933, 18.343639081561523));
    private static final double JMH_SCORE = 19.950843860295276;
    private static final double JMH_ERROR = 0.946705653073449;

    private static Map<String, Object> result(String params, List<List<Double>> forks, boolean withAlloc) {
        Map<String, Object> primary = new LinkedHashMap<>();
        primary.put("score", forks.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).average().orElseThrow());
        primary.put("scoreError", 0.0);
        primary.put("scoreUnit", "ops/us");
        primary.put("rawData", new ArrayList<>(forks));
        Map<String, Object> secondary = new LinkedHashMap<>();
        if (withAlloc) {
            secondary.put("gc.alloc.rate.norm", Map.of("score", 0.5, "scoreUnit", "B/op",
                    "rawData", List.of(List.of(0.0, 1.0))));
        }
        secondary.put("granted", Map.of("score", 2.0, "scoreUnit", "ops/us", "rawData", List.of(List.of(2.0, 2.0))));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "dev.limiter.benchmarks.BatchAcquireBenchmark.engineBatch");
        r.put("mode", "thrpt");
        r.put("threads", 1.0);
        r.put("forks", (double) forks.size());
        r.put("params", Map.of("batch", params));
        r.put("primaryMetric", primary);
        r.put("secondaryMetrics", secondary);
        return r;
    }

    @Test
    void threeOneForkRunsScoreAsJmhScoresThreeForks() {
        List<Map<String, Object>> pooled = PooledForks.pool(List.of(
                result("16", List.of(FORKS.get(0)), true),
                result("256", FORKS, true),
                result("16", List.of(FORKS.get(1)), true),
                result("16", List.of(FORKS.get(2)), true)));
        assertEquals(2, pooled.size(), "batch 16 pooled, batch 256 apart");
        JmhRow row = JmhRow.of(pooled.get(0));
        assertEquals("engineBatch [batch=16]", row.method());
        assertEquals(JMH_SCORE, row.score(), 1e-12);
        assertEquals(JMH_ERROR, row.error(), 1e-9);
        assertEquals(3, row.settings().forks());
        assertEquals(0.5, row.allocNorm(), 1e-12, "secondary metrics pool their iterations too");
        assertEquals(2.0, row.granted(), 1e-12);
        assertEquals(FORKS.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).average().orElseThrow(),
                JmhRow.of(pooled.get(1)).score(), 1e-12, "a result found once is left as it is");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMetricOneRunLacksIsLeftOutAndAResultWithoutIterationsIsRefused() {
        List<Map<String, Object>> pooled = PooledForks.pool(List.of(
                result("16", List.of(FORKS.get(0)), true), result("16", List.of(FORKS.get(1)), false)));
        assertEquals(1, pooled.size());
        assertFalse(((Map<?, ?>) pooled.get(0).get("secondaryMetrics")).containsKey("gc.alloc.rate.norm"));
        assertEquals(Double.NaN, JmhRow.of(pooled.get(0)).allocNorm());
        Map<String, Object> bare = result("16", List.of(FORKS.get(2)), true);
        ((Map<String, Object>) bare.get("primaryMetric")).remove("rawData");
        assertThrows(IllegalArgumentException.class,
                () -> PooledForks.pool(List.of(result("16", List.of(FORKS.get(0)), true), bare)));
    }
}
