package dev.limiter.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns one run's raw results into {@code REPORT.md} and one SVG bar chart per question.
 *
 * <p>Reads, from the results directory: every {@code jmh*.json} (JMH's JSON result format), and,
 * when present, {@code memory.json} ({@link dev.limiter.benchmarks.MemoryPerKey}),
 * {@code latency.json} ({@link dev.limiter.benchmarks.LatencyHistogram}), {@code async-lateness.json}
 * ({@link dev.limiter.benchmarks.time.AsyncLateness}, shown by {@link TimeSection}) and {@code run.json}
 * ({@link RunInfo}). Writes {@code <out>/REPORT.md} and {@code <out>/report/*.svg}. Plain Java,
 * no tool beyond the JDK.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.report.ReportGenerator benchmarks/results benchmarks [wallSeconds]
 * </pre>
 */
public final class ReportGenerator {
    private ReportGenerator() {
    }

    /** Generates the report from {@code args[0]} into {@code args[1]}; {@code args[2]}: run wall time, s. */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "benchmarks/results");
        Path out = Path.of(args.length > 1 ? args[1] : "benchmarks");
        String wall = args.length > 2 ? args[2] : null;
        Results rows = new Results(loadJmh(results));
        Object memory = load(results.resolve("memory.json"));
        Object latency = load(results.resolve("latency.json"));
        Object run = load(results.resolve("run.json"));
        Files.createDirectories(out.resolve("report"));
        String md = render(rows, memory, latency, run, wall, results, out);
        Files.writeString(out.resolve("REPORT.md"), md, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.resolve("REPORT.md") + " from " + rows.rows().size() + " JMH results");
    }

    /**
     * @return every row of every {@code jmh*.json} in {@code dir}, in file-name order; a benchmark
     *     found in several files (run.sh's passes) is one row of their pooled forks ({@link PooledForks})
     */
    @SuppressWarnings("unchecked")
    static List<JmhRow> loadJmh(Path dir) throws IOException {
        List<Map<String, Object>> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("jmh.*\\.json")).sorted().toList()) {
                for (Object r : (List<Object>) Json.parse(Files.readString(f, StandardCharsets.UTF_8))) {
                    results.add((Map<String, Object>) r);
                }
            }
        }
        List<JmhRow> rows = new ArrayList<>();
        for (Map<String, Object> r : PooledForks.pool(results)) {
            rows.add(JmhRow.of(r));
        }
        return rows;
    }

    static Object load(Path p) throws IOException {
        return Files.exists(p) ? Json.parse(Files.readString(p, StandardCharsets.UTF_8)) : null;
    }

    static String render(Results r, Object memory, Object latency, Object run, String wall, Path resultsDir, Path out)
            throws IOException {
        StringBuilder md = new StringBuilder("# Benchmark report: this engine versus Bucket4j, Resilience4j and Guava\n\n");
        String mode = String.valueOf(Json.get(run, "mode"));
        if ("quick".equals(mode)) {
            md.append("> **Smoke run (`--quick`)**: one 200 ms warm-up and one 200 ms measurement per benchmark, "
                    + "forked JVMs without `-XX:+AlwaysPreTouch`, so the figures are indicative only (no confidence "
                    + "interval, little warm-up, allocating competitors pay page faults). Run `benchmarks/run.sh` "
                    + "for the quality setting; its report replaces this one.\n\n");
        } else if ("quality".equals(mode)) {
            md.append("> **Quality run**: the setting of issue 3 (see *How this was run*).\n\n");
        }
        machine(md, r, run, wall);
        double offHeap = Json.num(Json.get(memory, "engineOffHeapBytesPerKey"));
        double held = Json.num(Json.get(memory, BeforeAfter.HELD_FOR_GOOD));
        md.append("## Targets\n\n| target | this run | status |\n|---|---|---|\n");
        for (Targets.Line t : Targets.check(r, offHeap, held)) {
            md.append("| ").append(t.target()).append(" | ").append(t.figure()).append(" | ").append(t.status())
                    .append(" |\n");
        }
        BeforeAfter.append(md, r, offHeap, held, out.resolve("baseline"));
        ratios(md, r);
        for (String q : r.questions()) {
            if (!TimeSection.owns(q)) {
                question(md, r, q, out);
            }
        }
        memory(md, memory, out);
        latency(md, latency);
        TimeSection.render(md, r, load(resultsDir.resolve(TimeSection.LATENESS_FILE)), out);
        try (Stream<Path> kept = Files.list(out)) {                  // hand-kept sections: separate runs (see each file)
            for (Path section : kept.filter(p -> p.getFileName().toString().matches("REPORT-.+\\.md")).sorted().toList()) {
                md.append('\n').append(Files.readString(section, StandardCharsets.UTF_8).strip()).append('\n');
            }
        }
        md.append("\n## Notes on method\n\n").append(ReportText.NOTES).append("\n\n## Raw data\n\n");
        try (Stream<Path> files = Files.list(resultsDir)) {
            for (Path f : files.sorted().toList()) {
                md.append("- [`").append(f.getFileName()).append("`](")
                        .append(out.toAbsolutePath().relativize(f.toAbsolutePath()).toString().replace('\\', '/'))
                        .append(")\n");
            }
        }
        return md.toString();
    }

    private static void machine(StringBuilder md, Results r, Object run, String wall) {
        md.append("## How this was run\n\n| | |\n|---|---|\n");
        row(md, "date (UTC)", String.valueOf(Json.get(run, "startedUtc")));
        row(md, "command", "`" + Json.get(run, "command") + "`");
        row(md, "setting", String.valueOf(Json.get(run, "mode")));
        if (wall != null) {
            row(md, "wall time of the run", wall + " s (build, sanity check, JMH, memory, latency, async lateness)");
        }
        row(md, "machine", (int) Json.num(Json.get(run, "nproc")) + " CPUs (nproc), " + Json.get(run, "cpu")
                + ", " + Json.get(run, "os"));
        if (Json.get(run, "loadAverageBeforeBuild") != null) {
            row(md, "load average before the build (1, 5, 15 min)", Json.get(run, "loadAverageBeforeBuild")
                    + " (should be near 0: other work on the machine skews every figure)");
        }
        if (Json.get(run, "loadAverage") != null) {
            row(md, "load average at start (1, 5, 15 min)", Json.get(run, "loadAverage")
                    + (Json.get(run, "loadAverageBeforeBuild") != null ? " (after the build, which raises it by itself)"
                            : " (should be near 0: other work on the machine skews every figure)"));
        }
        Set<String> jvm = new LinkedHashSet<>();
        Set<String> jmh = new LinkedHashSet<>();
        Set<String> iterations = new LinkedHashSet<>();
        Set<String> args = new LinkedHashSet<>();
        for (JmhRow x : r.rows()) {
            jvm.add(x.settings().jvm());
            jmh.add(x.settings().jmh());
            iterations.add(x.settings().forks() + " fork(s), warm-up " + x.settings().warmup() + ", measurement "
                    + x.settings().measurement());
            args.add("`" + x.settings().jvmArgs() + "`");
        }
        row(md, "JDK", String.join("; ", jvm));
        row(md, "JMH", String.join("; ", jmh) + ", mode throughput, `-prof gc`");
        row(md, "JMH iterations", String.join("; ", iterations));
        row(md, "forked JVM arguments", String.join("; ", args));
        md.append('\n');
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static void ratios(StringBuilder md, Results r) {
        md.append("\n## Ratio of this engine to the best competitor\n\n")
                .append("| workload | threads | best competitor (ops/µs) | engine, own clock | engine, now passed "
                        + "| engine handle, own clock | engine handle, now passed |\n|---|---|---|---|---|---|---|\n");
        for (String q : r.questions()) {
            for (int t : r.threads(q)) {
                var best = r.bestCompetitor(q, t);
                if (best.isEmpty() || r.of(q, t).stream().noneMatch(JmhRow::isEngine) || TimeSection.owns(q)) {
                    continue;
                }
                md.append("| ").append(ReportText.title(q)).append(" | ").append(t).append(" | ")
                        .append(ReportText.label(best.get().method())).append(' ')
                        .append(JmhRow.fmt(best.get().score())).append(" |");
                for (String m : List.of("engineOwnClock", "engineNowPassed", "engineHandle", "engineHandleNowPassed")) {
                    md.append(r.find(q, m, t).map(e -> String.format(Locale.ROOT, " **%.2f×** (%s) |",
                            e.score() / best.get().score(), JmhRow.fmt(e.score()))).orElse(" – |"));
                }
                md.append('\n');
            }
        }
    }

    private static void question(StringBuilder md, Results r, String q, Path out) throws IOException {
        md.append("\n## ").append(ReportText.title(q)).append("\n\n");
        String d = ReportText.description(q);
        if (!d.isEmpty()) {
            md.append(d).append(" Source: `").append(q).append(".java`.\n\n");
        }
        List<SvgChart.Bar> bars = new ArrayList<>();
        md.append("| benchmark | threads | ops/µs ± 99.9% error | B/op | granted | vs best competitor |\n")
                .append("|---|---|---|---|---|---|\n");
        Boolean expect = ReportText.expectsGranted(q);
        String unit = "ops/µs";
        for (int t : r.threads(q)) {
            boolean compared = r.of(q, t).stream().anyMatch(JmhRow::isEngine);
            for (JmhRow x : r.of(q, t)) {
                unit = x.unit().replace("us", "µs");
                SvgChart.Kind kind = x.isFloor() ? SvgChart.Kind.FLOOR
                        : x.isEngine() ? SvgChart.Kind.ENGINE : SvgChart.Kind.COMPETITOR;
                bars.add(new SvgChart.Bar(t + (t == 1 ? " thread" : " threads"), ReportText.label(x.method()),
                        x.score(), x.error(), kind));
                double share = x.grantedShare();
                boolean wrong = expect != null && !Double.isNaN(share) && (expect ? share < 0.999 : share > 0.001);
                double ratio = r.ratioToBest(x);
                md.append("| ").append(ReportText.label(x.method())).append(" | ").append(t).append(" | ")
                        .append(x.scoreWithError()).append(" | ")
                        .append(Double.isNaN(x.allocNorm()) ? "n/a" : String.format(Locale.ROOT, "%.1f", x.allocNorm()))
                        .append(" | ").append(Double.isNaN(share) ? "–"
                                : String.format(Locale.ROOT, "%.1f%%", 100 * share)).append(wrong ? " ⚠" : "")
                        .append(" | ").append(x.isFloor() || !compared || Double.isNaN(ratio) ? "–"
                                : String.format(Locale.ROOT, "%.2f×", ratio)).append(" |\n");
            }
        }
        String file = chartName(q);
        Files.writeString(out.resolve("report").resolve(file),
                SvgChart.render(ReportText.title(q) + " (" + unit + ", higher is better)", unit, bars),
                StandardCharsets.UTF_8);
        md.append("\n![").append(ReportText.title(q)).append("](report/").append(file).append(")\n");
    }

    static String chartName(String question) {
        return question.replace("Benchmark", "").replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT)
                + ".svg";
    }

    @SuppressWarnings("unchecked")
    private static void memory(StringBuilder md, Object memory, Path out) throws IOException {
        md.append("\n## Memory per key (1M keys)\n\n");
        if (memory == null) {
            md.append("No `memory.json` in this run.\n");
            return;
        }
        md.append("| library | bytes per key | where |\n|---|---|---|\n");
        List<SvgChart.Bar> bars = new ArrayList<>();
        double off = Json.num(Json.get(memory, "engineOffHeapBytesPerKey"));
        md.append("| this engine (token bucket) | ").append(JmhRow.fmt(off)).append(" | off-heap table as benchmarked"
                        + " (64-bit keys, idle-key eviction on: 2 C claims); heap: ")
                .append(JmhRow.fmt(Json.num(Json.get(memory, "engineHeapBytesPerKey")))).append(" B/key |\n");
        double held = Json.num(Json.get(memory, BeforeAfter.HELD_FOR_GOOD));
        if (!Double.isNaN(held)) {
            md.append("| this engine, every key held for good | ").append(JmhRow.fmt(held))
                    .append(" | off-heap table of C keys, eviction off (as the maps below hold theirs) |\n");
            bars.add(new SvgChart.Bar("1M keys", "this engine, held for good", held, Double.NaN, SvgChart.Kind.ENGINE));
        }
        bars.add(new SvgChart.Bar("1M keys", "this engine (off-heap)", off, Double.NaN, SvgChart.Kind.ENGINE));
        Map<String, Object> heap = (Map<String, Object>) Json.get(memory, "heapBytesPerKey");
        for (Map.Entry<String, Object> e : heap.entrySet()) {
            double v = Json.num(e.getValue());
            md.append("| ").append(ReportText.label(e.getKey())).append(" | ").append(JmhRow.fmt(v))
                    .append(" | heap, in a `ConcurrentHashMap<Long, …>` |\n");
            bars.add(new SvgChart.Bar("1M keys", ReportText.label(e.getKey()) + " (heap)", v, Double.NaN,
                    SvgChart.Kind.COMPETITOR));
        }
        Files.writeString(out.resolve("report").resolve("memory-per-key.svg"),
                SvgChart.render("Bytes per key, 1M keys (lower is better)", "bytes per key", bars),
                StandardCharsets.UTF_8);
        md.append("\n![Memory per key](report/memory-per-key.svg)\n");
    }

    @SuppressWarnings("unchecked")
    private static void latency(StringBuilder md, Object latency) {
        md.append("\n## Latency of one granted acquire (HdrHistogram, 1 thread, same run)\n\n");
        if (latency == null) {
            md.append("No `latency.json` in this run.\n");
            return;
        }
        md.append((long) Json.num(Json.get(latency, "samplesPerLibrary")))
                .append(" samples per library; nanoseconds, each including one `System.nanoTime()` pair.\n\n")
                .append("| library | p50 | p90 | p99 | p99.9 | p99.99 | max | mean | denied |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Object> all = (Map<String, Object>) Json.get(latency, "latencyNanos");
        for (Map.Entry<String, Object> e : all.entrySet()) {
            Map<String, Object> h = (Map<String, Object>) e.getValue();
            md.append("| ").append(e.getKey().equals("nanoTimePair") ? "`nanoTime()` pair alone"
                    : ReportText.label(e.getKey())).append(" |");
            for (String p : List.of("p50", "p90", "p99", "p99.9", "p99.99", "max", "mean", "denied")) {
                double v = Json.num(h.get(p));
                md.append(' ').append(p.equals("mean") ? JmhRow.fmt(v) : String.valueOf((long) v)).append(" |");
            }
            md.append('\n');
        }
    }
}
