package dev.limiter.benchmarks;

import dev.limiter.RateLimiter;
import dev.limiter.engine.OffHeapEngine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Question: how is the latency of one granted acquire distributed (p50, p99, p99.9, max), for this
 * engine and for Bucket4j, measured in the same run?
 *
 * <p>One thread, one key, the allowed setting of {@link Contenders}. Each call is timed on its own
 * with a pair of {@link System#nanoTime()} reads around it and recorded in an HdrHistogram, so
 * every figure includes the cost of that pair; the {@code nanoTimePair} row times an empty pair
 * and shows that overhead. The libraries take turns in rounds (engine, Bucket4j lock-free,
 * Bucket4j synchronized, empty pair, then again), so a disturbance of the machine hits all of
 * them alike. A warm-up of the same shape runs first and is discarded.
 *
 * <p>Writes JSON to the first argument (default {@code latency.json}); {@code --quick} takes
 * fewer samples.
 * <pre>
 * java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.LatencyHistogram benchmarks/results/latency.json
 * </pre>
 */
public final class LatencyHistogram {
    private static final long KEY = 42L;
    private static volatile boolean sink;

    private LatencyHistogram() {
    }

    /** The code under test: one granted acquire. */
    @FunctionalInterface
    private interface Call {
        boolean run();
    }

    /** Records the latencies and writes the JSON. */
    public static void main(String[] args) throws IOException {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        Path out = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "latency.json");
        int rounds = quick ? 4 : 20;
        int perRound = quick ? 250_000 : 1_000_000;

        try (OffHeapEngine engine = Contenders.engine(Contenders.Setting.ALLOWED, 1024)) {
            RateLimiter limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
            Bucket lockFree = Contenders.bucket4j(Contenders.Setting.ALLOWED, SynchronizationStrategy.LOCK_FREE);
            Bucket sync = Contenders.bucket4j(Contenders.Setting.ALLOWED, SynchronizationStrategy.SYNCHRONIZED);
            Map<String, Call> calls = new LinkedHashMap<>();
            calls.put("engineOwnClock", () -> limiter.tryAcquire(KEY));
            calls.put("bucket4jLockFree", () -> lockFree.tryConsume(1));
            calls.put("bucket4jSynchronized", () -> sync.tryConsume(1));
            calls.put("nanoTimePair", () -> true);

            Map<String, Histogram> histograms = new LinkedHashMap<>();
            Map<String, long[]> denied = new LinkedHashMap<>();
            for (String name : calls.keySet()) {
                histograms.put(name, new Histogram(3_600_000_000_000L, 3));
                denied.put(name, new long[1]);
            }
            for (int r = 0; r < rounds / 2; r++) { // warm-up, discarded
                for (Map.Entry<String, Call> e : calls.entrySet()) {
                    record(e.getValue(), perRound, new Histogram(3_600_000_000_000L, 3), new long[1]);
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Call> e : calls.entrySet()) {
                    record(e.getValue(), perRound, histograms.get(e.getKey()), denied.get(e.getKey()));
                }
            }
            write(out, histograms, denied, rounds * (long) perRound);
        }
    }

    private static void record(Call call, int samples, Histogram h, long[] denied) {
        boolean all = true;
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            boolean granted = call.run();
            long end = System.nanoTime();
            h.recordValue(end - start);
            if (!granted) {
                denied[0]++;
            }
            all &= granted;
        }
        sink = all;
    }

    private static void write(Path out, Map<String, Histogram> histograms, Map<String, long[]> denied, long samples)
            throws IOException {
        StringBuilder json = new StringBuilder("{\n  \"samplesPerLibrary\": ").append(samples)
                .append(",\n  \"note\": \"each sample includes one System.nanoTime() pair; see nanoTimePair\",\n")
                .append("  \"latencyNanos\": {");
        String sep = "\n";
        for (Map.Entry<String, Histogram> e : histograms.entrySet()) {
            Histogram h = e.getValue();
            json.append(sep).append("    \"").append(e.getKey()).append("\": {")
                    .append("\"p50\": ").append(h.getValueAtPercentile(50))
                    .append(", \"p90\": ").append(h.getValueAtPercentile(90))
                    .append(", \"p99\": ").append(h.getValueAtPercentile(99))
                    .append(", \"p99.9\": ").append(h.getValueAtPercentile(99.9))
                    .append(", \"p99.99\": ").append(h.getValueAtPercentile(99.99))
                    .append(", \"max\": ").append(h.getMaxValue())
                    .append(", \"mean\": ").append(String.format(Locale.ROOT, "%.1f", h.getMean()))
                    .append(", \"count\": ").append(h.getTotalCount())
                    .append(", \"denied\": ").append(denied.get(e.getKey())[0])
                    .append('}');
            sep = ",\n";
        }
        json.append("\n  }\n}\n");
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.print(json);
    }
}
