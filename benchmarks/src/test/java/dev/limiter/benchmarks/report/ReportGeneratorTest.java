package dev.limiter.benchmarks.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator on a small synthetic run: figures, ratios, targets, warnings and well-formed SVG. */
class ReportGeneratorTest {

    private static String result(String benchmark, int threads, double score, double error, double alloc,
                                 double granted, double denied, String params) {
        return String.format(Locale.ROOT, """
                {"jmhVersion": "1.37", "benchmark": "dev.limiter.benchmarks.%s", "mode": "thrpt",
                 "threads": %d, "forks": 1, "jvmArgs": ["-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"],
                 "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM", "vmVersion": "17.0.15+6",
                 "warmupIterations": 5, "warmupTime": "1 s", "measurementIterations": 5, "measurementTime": "1 s",
                 %s
                 "primaryMetric": {"score": %s, "scoreError": %s, "scoreUnit": "ops/us"},
                 "secondaryMetrics": {"gc.alloc.rate.norm": {"score": %s}, "granted": {"score": %s},
                                      "denied": {"score": %s}}}""",
                benchmark, threads, params, score, Double.isNaN(error) ? "\"NaN\"" : String.valueOf(error), alloc,
                granted, denied);
    }

    @Test
    void rendersFiguresRatiosTargetsAndCharts(@TempDir Path dir) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        String json = "[" + String.join(",",
                result("SingleKeyAllowedBenchmark.engineOwnClock", 1, 40.0, 1.5, 0.001, 40.0, 0, ""),
                result("SingleKeyAllowedBenchmark.engineNowPassed", 1, 90.0, 2.0, 0.001, 90.0, 0, ""),
                result("SingleKeyAllowedBenchmark.bucket4jLockFree", 1, 20.0, 0.5, 64.0, 20.0, 0, ""),
                result("SingleKeyAllowedBenchmark.guava", 1, 25.0, Double.NaN, 0.0, 24.0, 1.0, ""),
                result("policy.NylasV3DecisionBenchmark.decide", 1, 7.0, 0.1, 0.0, Double.NaN, Double.NaN,
                        "\"params\": {\"rules\": \"3\"},")) + "]";
        Files.writeString(results.resolve("jmh-t1.json"), json, StandardCharsets.UTF_8);
        Files.writeString(results.resolve("run.json"), "{\"mode\": \"quick\", \"command\": \"benchmarks/run.sh --quick\","
                + " \"startedUtc\": \"2026-01-01T00:00:00Z\", \"nproc\": 2, \"cpu\": \"Test CPU\", \"os\": \"Linux\"}");
        Files.writeString(results.resolve("memory.json"), "{\"keys\": 1000000, \"engineOffHeapBytesPerKey\": 30.0,"
                + " \"engineHeapBytesPerKey\": 0.0, \"heapBytesPerKey\": {\"guava\": 202.5}}");

        ReportGenerator.main(new String[] {results.toString(), dir.toString(), "99"});

        String md = Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("Smoke run (`--quick`)"), "labels the setting");
        assertTrue(md.contains("2 CPUs (nproc), Test CPU"), "names the machine");
        assertTrue(md.contains("40.00 ± 1.50"), "figure with its error");
        assertTrue(md.contains("**1.60×** (40.00)"), "own clock over the best competitor (Guava 25)");
        assertTrue(md.contains("| single key, 1 thread, engine reads its own clock: ≥ 1.5× best competitor | 1.60×"),
                md);
        assertTrue(md.contains("| single key, 1 thread, \"now\" passed in: ≥ 3× best competitor | 3.60×"), md);
        assertTrue(md.contains("96.0% ⚠"), "an allowed setup that denied is flagged");
        assertTrue(md.contains("decide [rules=3]"), "parameters keep rows apart");
        assertTrue(md.contains("| 30.00 B | **not met** |"), "off-heap bytes per key target (≤ 20)");
        assertTrue(md.contains("| Nylas v3 decision (route match + composite), 1 thread: ≥ 10 M/s | 7.00 ± 0.10 M/s [rules=3]"
                + " | **not met** |"), md);
        assertTrue(md.contains("engine on the cached clock: ≥ 2.5× best competitor | n/a | no data |"), md);
        assertTrue(!md.contains("## Before and after"), "no baseline, no section");

        Path baseline = Files.createDirectories(dir.resolve("baseline"));
        Files.writeString(baseline.resolve("jmh-t1.json"), "[" + String.join(",",
                result("SingleKeyAllowedBenchmark.engineOwnClock", 1, 20.0, 1.0, 0.001, 20.0, 0, ""),
                result("SingleKeyAllowedBenchmark.guava", 1, 25.0, 1.0, 0.0, 24.0, 1.0, "")) + "]");
        ReportGenerator.main(new String[] {results.toString(), dir.toString(), "99"});
        md = Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("| single key, 1 thread, engine reads its own clock: ≥ 1.5× best competitor | 0.80×"
                + " (20.00 vs Guava RateLimiter 25.00 ops/µs) | 1.60×"), md);
        assertTrue(md.contains("| SingleKeyAllowedBenchmark.engineOwnClock | 1 | 20.00 ± 1.00 | 40.00 ± 1.50 | 2.00× |"), md);
        for (String svg : new String[] {"single-key-allowed.svg", "nylas-v3-decision.svg", "memory-per-key.svg"}) {
            Path p = dir.resolve("report").resolve(svg);
            assertTrue(Files.exists(p), svg);
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(p.toFile());
            assertEquals("svg", doc.getDocumentElement().getNodeName());
        }
    }

    @Test
    void timeSectionShowsTimersTargetsCachedClockAndLatenessFromTheRun(@TempDir Path dir) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        String json = "[" + String.join(",",
                result("time.TimerScheduleBenchmark.timingWheelScheduleCancel", 1, 40.0, 2.0, 0.0, Double.NaN, Double.NaN, ""),
                result("time.TimerScheduleBenchmark.timingWheelScheduleFire", 1, 16.0, 1.0, 0.0, Double.NaN, Double.NaN, ""),
                result("time.TimerScheduleBenchmark.tickerScheduleCancel", 1, 12.0, 9.0, 0.0, Double.NaN, Double.NaN, ""),
                result("time.TimerScheduleBenchmark.nettyScheduleCancel", 1, 8.0, 1.0, 63.6, Double.NaN, Double.NaN, ""),
                result("time.TimerScheduleBenchmark.executorScheduleCancel", 1, 1.0, 0.1, 99.0, Double.NaN, Double.NaN, ""),
                result("time.CachedClockAcquireBenchmark.engineCachedClock", 1, 33.0, 1.0, 0.0, 33.0, 0, ""),
                result("time.CachedClockAcquireBenchmark.cachedNanoTime", 1, 500.0, 1.0, 0.0, Double.NaN, Double.NaN, ""),
                result("SingleKeyAllowedBenchmark.engineOwnClock", 1, 12.0, 1.0, 0.0, 12.0, 0, ""),
                result("SingleKeyAllowedBenchmark.guava", 1, 12.0, 1.0, 0.0, 12.0, 0, "")) + "]";
        Files.writeString(results.resolve("jmh-t1.json"), json, StandardCharsets.UTF_8);
        Files.writeString(results.resolve(TimeSection.LATENESS_FILE), "{\"question\": \"q\", \"tickNanos\": 1000000,"
                + " \"completed\": 20000, \"early\": 0, \"refused\": 0, \"latenessNanos\": {\"p50\": 100000,"
                + " \"p99\": 1500000, \"p99.9\": 2000000, \"max\": 5000000, \"mean\": 1.0}}");

        ReportGenerator.main(new String[] {results.toString(), dir.toString()});

        String md = Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("| this engine's `TimingWheel` (single thread) | 40.00 ± 2.00 | 0.0 | 16.00 ± 1.00 | 0.0 |"), md);
        assertTrue(md.contains("| Netty `HashedWheelTimer`, caller's side | 8.00 ± 1.00 | 63.6 | – | – |"), md);
        assertTrue(md.contains("| timing wheel ≥ 10× `ScheduledThreadPoolExecutor` (schedule + cancel) | 40.00× (40.00 vs 1.00"
                + " ops/µs) | met |"), md);
        assertTrue(md.contains("1.50× (12.00 vs 8.00 ops/µs) | **not met** |"), "ticker caller side over Netty");
        assertTrue(md.contains("2.75× (33.00 vs Guava RateLimiter 12.00 ops/µs) | met on the means; not established"),
                "the cached clock against the best single-key competitor, not against a clock read: " + md);
        assertTrue(md.contains("| asynchronous acquire lateness p99 ≤ 1 tick | p99 1.50 ticks (p50 0.10, p99.9 2.00) |"
                + " **not met** |"), md);
        assertTrue(md.contains("| 0.100 ms (0.10 ticks) | 1.500 ms (1.50 ticks) | 2.000 ms (2.00 ticks) |"), md);
        assertEquals(-1, md.indexOf("## TimerScheduleBenchmark"), "no generic section repeats the timers");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve("report").resolve(TimeSection.CHART).toFile());
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(5, doc.getElementsByTagName("rect").getLength() - 4, "one bar per measured row (after the background and legend)");
    }

    /** The 1M-key floor line is out of reach when the clock read + read + CAS alone exceeds 1.5x the floor. */
    @Test
    void millionKeyFloorLineIsOutOfReachOnlyWhenTheClockedFloorIs(@TempDir Path dir) throws Exception {
        String md = millionKeyReport(dir.resolve("slow"), 4.5);
        assertTrue(md.contains("| 1M keys, 1 thread (own clock): ≤ 1.5× the time of the random read + CAS floor | 6.00×"), md);
        assertTrue(md.contains("**not met** (out of reach: a clock read + read + CAS alone takes 4.00× the floor's time)"),
                md);
        md = millionKeyReport(dir.resolve("fast"), 15.0);
        assertTrue(md.contains("own clock against the clock read + read + CAS floor (15.00 ops/µs): 5.00× | **not met** |"),
                md);
    }

    /** The memory line is judged on the table that holds every key for good, with the evicting table shown beside it. */
    @Test
    void memoryLineIsJudgedOnTheTableHeldForGoodAndShowsTheEvictingOne(@TempDir Path dir) throws Exception {
        String md = millionKeyReport(dir.resolve("held"), 4.5, ", \"engineOffHeapBytesPerKeyHeldForGood\": 20.0");
        assertTrue(md.contains("| off-heap bytes per 64-bit key (token bucket, 1M keys): ≤ 20 | 20.00 B holding every key"
                + " for good (as the maps do); 60.00 B with idle-key eviction (its table takes 2 C claims) | met |"), md);
        assertTrue(md.contains("| this engine, every key held for good | 20.00 |"), md);
        md = millionKeyReport(dir.resolve("over"), 4.5, ", \"engineOffHeapBytesPerKeyHeldForGood\": 20.5");
        assertTrue(md.contains("20.50 B holding every key for good (as the maps do); 60.00 B with idle-key eviction"
                + " (its table takes 2 C claims) | **not met** |"), md);
    }

    private static String millionKeyReport(Path dir, double clockedFloor) throws Exception {
        return millionKeyReport(dir, clockedFloor, "");
    }

    private static String millionKeyReport(Path dir, double clockedFloor, String memoryFields) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("jmh-t1.json"), "[" + String.join(",",
                result("OneMillionKeysBenchmark.engineOwnClock", 1, 3.0, 0.1, 0.0, 3.0, 0, ""),
                result("OneMillionKeysBenchmark.guava", 1, 1.0, 0.1, 0.0, 1.0, 0, ""),
                result("FloorsBenchmark.randomCasOffHeap", 1, 18.0, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("FloorsBenchmark.nanoTimeRandomCasOffHeap", 1, clockedFloor, 0.1, 0.0, Double.NaN, Double.NaN,
                        "")) + "]", StandardCharsets.UTF_8);
        Files.writeString(results.resolve("run.json"), "{\"mode\": \"quality\", \"command\": \"benchmarks/run.sh\","
                + " \"startedUtc\": \"2026-01-01T00:00:00Z\", \"nproc\": 2, \"cpu\": \"Test CPU\", \"os\": \"Linux\"}");
        Files.writeString(results.resolve("memory.json"), "{\"keys\": 1000000, \"engineOffHeapBytesPerKey\": 60.0,"
                + " \"engineHeapBytesPerKey\": 0.0" + memoryFields + ", \"heapBytesPerKey\": {\"guava\": 202.5}}");
        ReportGenerator.main(new String[] {results.toString(), dir.toString(), "1"});
        return Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
    }

    /**
     * The keyed single-key lines are judged on the floors reached through a key: with the plain
     * clock-and-CAS floor above the target and the keyed one below it, the line is out of reach. The
     * batch line shows the batch floor and the engine's share of it, and is out of reach only when
     * that floor is below the random read + CAS floor it is judged against.
     */
    @Test
    void keyedLinesAreJudgedOnTheKeyedFloorsAndTheBatchLineShowsItsOwnFloor(@TempDir Path dir) throws Exception {
        String md = keyedAndBatchReport(dir.resolve("reachable"), 25.0);
        assertTrue(md.contains("| single key, 1 thread, engine reads its own clock: ≥ 1.5× best competitor | 1.40×"
                + " (14.00 vs Resilience4j Atomic 10.00 ops/µs); floor nanoTimeKeyedCasOffHeap (14.50 ops/µs) = 1.45×"
                + " the best competitor | **not met** (out of reach: the floor is below the target) |"), md);
        assertTrue(md.contains("0.75× the floor (engineBatch [batch=64] 15.00 ± 0.10 vs 20.00 ± 0.10 ops/µs);"
                + " batch floor (64 reads, then 64 CAS): 25.00 ± 0.10 ops/µs, the engine 0.60× of it | **not met** |"),
                md);
        md = keyedAndBatchReport(dir.resolve("out-of-reach"), 18.0);
        assertTrue(md.contains("batch floor (64 reads, then 64 CAS): 18.00 ± 0.10 ops/µs, the engine 0.83× of it"
                + " | **not met** (out of reach: the batch floor is below the target) |"), md);
    }

    private static String keyedAndBatchReport(Path dir, double batchFloor) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("jmh-t1.json"), "[" + String.join(",",
                result("SingleKeyAllowedBenchmark.engineOwnClock", 1, 14.0, 0.1, 0.0, 14.0, 0, ""),
                result("SingleKeyAllowedBenchmark.resilience4j", 1, 10.0, 0.1, 0.0, 10.0, 0, ""),
                result("FloorsBenchmark.nanoTimeCasOffHeap", 1, 16.0, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("FloorsBenchmark.nanoTimeKeyedCasOffHeap", 1, 14.5, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("BatchAcquireBenchmark.engineBatch", 1, 15.0, 0.1, 0.0, Double.NaN, Double.NaN,
                        "\"params\": {\"batch\": \"64\"},"),
                result("FloorsBenchmark.randomCasOffHeap", 1, 20.0, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("FloorsBenchmark.batchReadCasOffHeap", 1, batchFloor, 0.1, 0.0, Double.NaN, Double.NaN, ""))
                + "]", StandardCharsets.UTF_8);
        ReportGenerator.main(new String[] {results.toString(), dir.toString(), "1"});
        return Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
    }

    /**
     * A Nylas line shows its policy floor when unmet, and is out of reach only when the floor (its
     * slowest parameter set) is itself below the target.
     */
    @Test
    void nylasLinesAreOutOfReachOnlyWhenTheirPolicyFloorIs(@TempDir Path dir) throws Exception {
        String md = nylasReport(dir.resolve("slow"), 6.0, 9.0);
        assertTrue(md.contains("| Nylas v3 decision (route match + composite), 1 thread: ≥ 10 M/s | 3.00 ± 0.10 M/s"
                + " [stepNanos=1000]; floor decisionFloor [stepNanos=1000] 6.00 ± 0.10 M/s | **not met** (out of reach:"
                + " the floor is below the target) |"), md);
        assertTrue(md.contains("| Nylas v3 route match alone, 1 thread: ≥ 20 M/s | 4.00 ± 0.10 M/s; floor matchFloor"
                + " 8.00 ± 0.10 M/s | **not met** (out of reach: the floor is below the target) |"), md);
        md = nylasReport(dir.resolve("fast"), 11.0, 12.0);
        assertTrue(md.contains("floor decisionFloor [stepNanos=1000] 11.00 ± 0.10 M/s | **not met** |"),
                "the slowest parameter set is the floor, and it is above the target: " + md);
    }

    private static String nylasReport(Path dir, double floorAtOneMicro, double floorAtOneMilli) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("jmh-t1.json"), "[" + String.join(",",
                result("policy.NylasV3DecisionBenchmark.decide", 1, 3.0, 0.1, 0.0, Double.NaN, Double.NaN,
                        "\"params\": {\"stepNanos\": \"1000\"},"),
                result("policy.NylasV3DecisionBenchmark.matchOnly", 1, 4.0, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("policy.PolicyFloorsBenchmark.matchFloor", 1, 8.0, 0.1, 0.0, Double.NaN, Double.NaN, ""),
                result("policy.PolicyFloorsBenchmark.decisionFloor", 1, floorAtOneMicro, 0.1, 0.0, Double.NaN,
                        Double.NaN, "\"params\": {\"stepNanos\": \"1000\"},"),
                result("policy.PolicyFloorsBenchmark.decisionFloor", 1, floorAtOneMilli, 0.1, 0.0, Double.NaN,
                        Double.NaN, "\"params\": {\"stepNanos\": \"1000000\"},")) + "]", StandardCharsets.UTF_8);
        ReportGenerator.main(new String[] {results.toString(), dir.toString(), "1"});
        return Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
    }

    /** Renders a run whose lateness file has the asynchronous acquires' p99 and the floor's p99 (ns, tick 1 ms). */
    private static String renderLateness(Path dir, long p99, long floorP99) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("jmh-t1.json"),
                "[" + result("SingleKeyAllowedBenchmark.engineOwnClock", 1, 12.0, 1.0, 0.0, 12.0, 0, "") + "]",
                StandardCharsets.UTF_8);
        Files.writeString(results.resolve(TimeSection.LATENESS_FILE), String.format(Locale.ROOT, "{\"question\": \"q\","
                + " \"tickNanos\": 1000000, \"completed\": 20000, \"early\": 0, \"refused\": 0,"
                + " \"latenessNanos\": {\"p50\": 100000, \"p99\": %d, \"p99.9\": 2000000, \"max\": 5000000,"
                + " \"mean\": 1.0}, \"floorDeadlines\": 20000, \"floorLatenessNanos\": {\"p50\": 60000,"
                + " \"p99\": %d, \"p99.9\": 3000000, \"max\": 7000000, \"mean\": 1.0}}", p99, floorP99));
        ReportGenerator.main(new String[] {results.toString(), dir.toString()});
        return Files.readString(dir.resolve("REPORT.md"), StandardCharsets.UTF_8);
    }

    @Test
    void latenessTargetIsOutOfReachOnlyWhenTheBareParkedThreadIsItselfLaterThanOneTick(@TempDir Path dir)
            throws Exception {
        String outOfReach = renderLateness(dir.resolve("a"), 1_500_000, 1_200_000);
        assertTrue(outOfReach.contains("| asynchronous acquire lateness p99 ≤ 1 tick | p99 1.50 ticks (p50 0.10, p99.9"
                + " 2.00); floor (a bare thread parking to the same deadlines) p99 1.20 ticks | **not met** (out of"
                + " reach: the floor is above the target) |"), outOfReach);
        assertTrue(outOfReach.contains("| floor: a bare parked thread | 0.060 ms (0.06 ticks) | 1.200 ms (1.20 ticks) |"
                + " 3.000 ms (3.00 ticks) | 7.000 ms (7.00 ticks) | – | – |"), outOfReach);

        String reachable = renderLateness(dir.resolve("b"), 1_500_000, 900_000);
        assertTrue(reachable.contains("p99 1.50 ticks (p50 0.10, p99.9 2.00); floor (a bare thread parking to the same"
                + " deadlines) p99 0.90 ticks | **not met** |"), "a floor within the target leaves it in reach: "
                + reachable);

        String met = renderLateness(dir.resolve("c"), 900_000, 1_200_000);
        assertTrue(met.contains("| asynchronous acquire lateness p99 ≤ 1 tick | p99 0.90 ticks (p50 0.10, p99.9 2.00)"
                + " | met |"), met);
    }

    @Test
    void jsonReaderHandlesJmhShapes() {
        Object v = Json.parse("{\"a\": [1, -2.5e3, \"NaN\", true, null], \"b\": {\"c\": \"x\\\"y\\u00e9\"}}");
        assertEquals(-2500.0, Json.num(((java.util.List<?>) Json.get(v, "a")).get(1)));
        assertTrue(Double.isNaN(Json.num(((java.util.List<?>) Json.get(v, "a")).get(2))));
        assertEquals("x\"yé", Json.get(v, "b.c"));
    }
}
