package dev.limiter.benchmarks;

import dev.limiter.engine.OffHeapEngine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Question: how many bytes does each key cost when 1M keys are held?
 *
 * <p>For each competitor, 1M limiters in a {@code ConcurrentHashMap<Long, limiter>} built with
 * {@code computeIfAbsent} (their users' usual setup, as in {@link OneMillionKeysBenchmark}): heap
 * used after several {@link System#gc()} calls, minus the same before, divided by 1M. The figure
 * includes the map's own entries and the boxed keys, because a user pays for them too. For this
 * engine: its off-heap table ({@code OffHeapEngine.bytesAllocated()} / 1M) and, separately, the
 * heap it uses for the same 1M keys (about zero); and the off-heap table of the same engine with
 * idle-key eviction off, which holds every key for good as the maps do. The key ids are allocated before the baseline
 * is taken, so they are not counted against anyone.
 *
 * <p>Writes JSON to the path given as the first argument (default {@code memory.json}). Run with
 * the benchmarks' heap, so every library has room:
 * <pre>
 * java -Xms4g -Xmx4g -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.MemoryPerKey benchmarks/results/memory.json
 * </pre>
 */
public final class MemoryPerKey {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static Object keepAlive;

    private MemoryPerKey() {
    }

    /** Measures every library and writes the JSON. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "memory.json");
        int keys = KeyStream.KEYS;
        long[] ids = new KeyStream(keys).ids();
        Map<String, double[]> rows = new LinkedHashMap<>();
        rows.put("bucket4jLockFree", new double[] {heapPerKey(ids, id -> OneMillionKeysBenchmark.newBucket4jLockFree())});
        rows.put("bucket4jSynchronized",
                new double[] {heapPerKey(ids, id -> OneMillionKeysBenchmark.newBucket4jSynchronized())});
        rows.put("resilience4j", new double[] {heapPerKey(ids, id -> OneMillionKeysBenchmark.newResilience4j())});
        rows.put("guava", new double[] {heapPerKey(ids, id -> OneMillionKeysBenchmark.newGuava())});

        long before = settledHeapUsed();
        double offHeapPerKey;
        double engineHeapPerKey;
        try (OffHeapEngine engine = Contenders.engine(Contenders.Setting.ALLOWED, keys)) {
            var limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
            for (long id : ids) {
                limiter.tryAcquire(id);
            }
            keepAlive = engine;
            engineHeapPerKey = (double) (settledHeapUsed() - before) / keys;
            offHeapPerKey = (double) engine.bytesAllocated() / keys;
            if (limiter.keyCount() != keys) {
                throw new IllegalStateException("engine holds " + limiter.keyCount() + " keys, expected " + keys);
            }
        }
        keepAlive = null;
        double heldForGoodPerKey;
        try (OffHeapEngine engine = Contenders.engineHeldForGood(Contenders.Setting.ALLOWED, keys)) {
            var limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
            for (long id : ids) {
                limiter.tryAcquire(id);
            }
            if (limiter.keyCount() != keys) {
                throw new IllegalStateException("engine holds " + limiter.keyCount() + " keys, expected " + keys);
            }
            heldForGoodPerKey = (double) engine.bytesAllocated() / keys;
        }

        StringBuilder json = new StringBuilder("{\n  \"keys\": ").append(keys).append(",\n");
        json.append("  \"jdk\": \"").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append("\",\n");
        json.append("  \"maxHeapBytes\": ").append(Runtime.getRuntime().maxMemory()).append(",\n");
        json.append("  \"engineOffHeapBytesPerKey\": ").append(fmt(offHeapPerKey)).append(",\n");
        json.append("  \"engineHeapBytesPerKey\": ").append(fmt(engineHeapPerKey)).append(",\n");
        json.append("  \"engineOffHeapBytesPerKeyHeldForGood\": ").append(fmt(heldForGoodPerKey)).append(",\n");
        json.append("  \"heapBytesPerKey\": {");
        String sep = "\n";
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            json.append(sep).append("    \"").append(e.getKey()).append("\": ").append(fmt(e.getValue()[0]));
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

    private static double heapPerKey(long[] ids, LongFunction<Object> make) {
        keepAlive = null;
        long before = settledHeapUsed();
        ConcurrentHashMap<Long, Object> map = new ConcurrentHashMap<>();
        for (long id : ids) {
            map.computeIfAbsent(id, k -> make.apply(k));
        }
        keepAlive = map;
        long after = settledHeapUsed();
        if (map.size() != ids.length) {
            throw new IllegalStateException("map holds " + map.size() + " keys, expected " + ids.length);
        }
        keepAlive = null;
        return (double) (after - before) / ids.length;
    }

    /** @return heap used once full collections stop freeing memory (at least two, at most five) */
    private static long settledHeapUsed() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            boolean settled = i > 0 && used - now < (1 << 20);
            used = Math.min(used, now);
            if (settled) {
                break;
            }
        }
        return used;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
