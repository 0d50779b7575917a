package dev.limiter.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The report's "before and after" section: this run's targets and engine figures next to those of a
 * baseline run kept in {@code <out>/baseline/} (the same files a run writes: {@code jmh*.json},
 * {@code memory.json}, {@code run.json}, and a {@code README.md} saying which commit it measured).
 * Absent baseline, no section.
 */
final class BeforeAfter {
    /** The memory.json field with the bytes per key of a table that holds every key for good (eviction off). */
    static final String HELD_FOR_GOOD = "engineOffHeapBytesPerKeyHeldForGood";

    private BeforeAfter() {
    }

    static void append(StringBuilder md, Results after, double afterBytes, double afterHeld, Path baseline)
            throws IOException {
        if (!Files.isDirectory(baseline)) {
            return;
        }
        Results before = new Results(ReportGenerator.loadJmh(baseline));
        if (before.rows().isEmpty()) {
            return;
        }
        Object memory = ReportGenerator.load(baseline.resolve("memory.json"));
        Object run = ReportGenerator.load(baseline.resolve("run.json"));
        double beforeBytes = Json.num(Json.get(memory, "engineOffHeapBytesPerKey"));
        double beforeHeld = Json.num(Json.get(memory, HELD_FOR_GOOD));
        md.append("\n## Before and after\n\n");
        Path readme = baseline.resolve("README.md");
        if (Files.exists(readme)) {
            md.append(Files.readString(readme, StandardCharsets.UTF_8).strip()).append("\n\n");
        }
        md.append("Baseline run: ").append(Json.get(run, "startedUtc")).append(", load average at start ")
                .append(Json.get(run, "loadAverage")).append(".\n\n");
        md.append("| target | before | after | status after |\n|---|---|---|---|\n");
        List<Targets.Line> was = Targets.check(before, beforeBytes, beforeHeld);
        List<Targets.Line> now = Targets.check(after, afterBytes, afterHeld);
        for (int i = 0; i < now.size(); i++) {
            Targets.Line n = now.get(i);
            String b = i < was.size() && was.get(i).target().equals(n.target()) ? was.get(i).figure() : "n/a";
            md.append("| ").append(n.target()).append(" | ").append(b).append(" | ").append(n.figure()).append(" | ")
                    .append(n.status()).append(" |\n");
        }
        md.append("\nEvery engine row of both runs, ops/µs ± the 99.9% interval:\n\n")
                .append("| benchmark | threads | before | after | after / before |\n|---|---|---|---|---|\n");
        for (JmhRow row : after.rows()) {
            if (!row.isEngine()) {
                continue;
            }
            Optional<JmhRow> old = before.find(row.question(), row.method(), row.threads());
            md.append("| ").append(row.question()).append('.').append(row.method()).append(" | ").append(row.threads())
                    .append(" | ").append(old.map(JmhRow::scoreWithError).orElse("–")).append(" | ")
                    .append(row.scoreWithError()).append(" | ")
                    .append(old.map(o -> String.format(java.util.Locale.ROOT, "%.2f×", row.score() / o.score()))
                            .orElse("–"))
                    .append(" |\n");
        }
    }
}
