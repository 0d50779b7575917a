package dev.limiter.benchmarks.report;

import java.util.Map;

/** The report's words: readable names for benchmark methods and the questions they answer. */
public final class ReportText {
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("engineOwnClock", "engine, own clock"),
            Map.entry("engineNowPassed", "engine, now passed"),
            Map.entry("engineHandle", "engine handle, own clock"),
            Map.entry("engineHandleNowPassed", "engine handle, now passed"),
            Map.entry("bucket4jLockFree", "Bucket4j lock-free"),
            Map.entry("bucket4jSynchronized", "Bucket4j synchronized"),
            Map.entry("resilience4j", "Resilience4j Atomic"),
            Map.entry("guava", "Guava RateLimiter"),
            Map.entry("nanoTime", "System.nanoTime()"),
            Map.entry("currentTimeMillis", "System.currentTimeMillis()"),
            Map.entry("casOffHeap", "CAS on an off-heap long"),
            Map.entry("nanoTimeCasOffHeap", "System.nanoTime() then a CAS"),
            Map.entry("nanoTimeKeyedCasOffHeap", "System.nanoTime(), a key's slot found, then a CAS"),
            Map.entry("nanoTimeReadOffHeap", "System.nanoTime() then a read"),
            Map.entry("nanoTimeKeyedReadOffHeap", "System.nanoTime(), a key's slot found, then a read"),
            Map.entry("randomReadOffHeap", "random read, off-heap 40 MB (the 1M-key table)"),
            Map.entry("randomReadHeap", "random read, long[] 40 MB"),
            Map.entry("randomCasOffHeap", "random read + CAS, off-heap 40 MB"),
            Map.entry("batchReadCasOffHeap", "64 random reads, then 64 CAS, off-heap 40 MB (per key)"),
            Map.entry("mapLookup", "ConcurrentHashMap.get, 1M keys"));

    private static final Map<String, String[]> QUESTIONS = Map.of(
            "SingleKeyAllowedBenchmark", new String[] {"Single key, mostly allowed",
                "`tryAcquire(1)` on one key whose rate (10⁹/s) is never reached; with 2 threads both hit the "
                    + "same key and the score is their total."},
            "SingleKeyDeniedBenchmark", new String[] {"Single key, denied (rejection path)",
                "`tryAcquire(1)` on one key whose limit (1 per day) is reached and stays reached."},
            "OneMillionKeysBenchmark", new String[] {"1M keys",
                "Keys drawn from a precomputed random stream over 1,000,000 distinct ids. This engine's keyed "
                    + "API (capacity 1M) versus each competitor in a `ConcurrentHashMap<Long, limiter>` with "
                    + "`computeIfAbsent`; every key exists before measuring."},
            "BatchAcquireBenchmark", new String[] {"1M keys in batches",
                "The 1M-key setup with the keys handed over in batches (`tryAcquireBatch`, one clock read per "
                    + "batch), against the same keys one at a time; every score is per key. Compare with the random "
                    + "read + CAS floor below."},
            "FloorsBenchmark", new String[] {"Floors",
                "The physical limits the figures above are compared with: the clock reads (`nanoTime`, which "
                    + "this engine reads, and `currentTimeMillis`, which Bucket4j's default time meter reads), one "
                    + "uncontended CAS, a clock read followed by a CAS or a read on one word, the same reached "
                    + "through a 64-bit key (the floors of a keyed single-key acquire and denial: the key hashed, its "
                    + "slot's key word read and compared), one random read over a region the size of the engine's "
                    + "1M-key table (a cache miss; successive reads are independent, so the CPU overlaps their "
                    + "misses), the same read followed by a CAS on the slot (the fence stops that overlap: the floor "
                    + "of any lock-free table update), a group of 64 such reads followed by a CAS on each slot (the "
                    + "floor of a batch acquire, per key), and a `ConcurrentHashMap` lookup over 1M boxed keys."});

    private ReportText() {
    }

    /** @return the readable name of a benchmark method */
    public static String label(String method) {
        return LABELS.getOrDefault(method, method);
    }

    /** @return the section title of a benchmark class */
    public static String title(String question) {
        String[] q = QUESTIONS.get(question);
        return q == null ? question : q[0];
    }

    /** @return what a benchmark class measures, or an empty string for classes not described here */
    public static String description(String question) {
        String[] q = QUESTIONS.get(question);
        return q == null ? "" : q[1];
    }

    /** @return whether the class's limiters must grant every call (true), refuse every call (false), or null */
    public static Boolean expectsGranted(String question) {
        switch (question) {
            case "SingleKeyAllowedBenchmark":
            case "OneMillionKeysBenchmark":
            case "BatchAcquireBenchmark":
                return Boolean.TRUE;
            case "SingleKeyDeniedBenchmark":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** The notes on method printed at the end of the report. */
    public static final String NOTES = String.join("\n",
            "- **\"now\" passed in** models a gateway that reads the clock once per request and evaluates several "
                    + "rules with that reading. The benchmark hands the engine a per-thread counter advanced by 1 ns "
                    + "per call (re-synchronised with `System.nanoTime()` before each iteration), so the figure is "
                    + "the engine's own work without a clock read. The competitors have no such entry point.",
            "- **Configurations** (`Contenders.java`): allowed = 10⁹ permits per second, burst one second; "
                    + "denied = 1 permit per day, taken before measuring. Bucket4j: `Bucket.builder()` with "
                    + "`refillGreedy` and its default (millisecond) time meter, strategy `LOCK_FREE` or "
                    + "`SYNCHRONIZED`; Resilience4j: `AtomicRateLimiter` with `timeoutDuration(0)` and "
                    + "`acquirePermission()`; Guava: `RateLimiter.create(rate).tryAcquire()`.",
            "- **Outcome check**: every benchmark counts granted and denied calls with `@AuxCounters`; the "
                    + "\"granted\" column shows the share, and a ⚠ marks a setup that answered against its "
                    + "setting. `SanityCheck` (run first by `run.sh`, and by `mvn test`) fails the run outright "
                    + "if any configuration does.",
            "- **Allocation** is JMH's `gc.alloc.rate.norm` from `-prof gc`; a few thousandths of a byte per op "
                    + "are measurement noise. The competitors' 1M-key figures include boxing the `Long` key.",
            "- **Memory per key**: heap used after repeated `System.gc()` (MemoryMXBean) with 1M limiters in a "
                    + "`ConcurrentHashMap`, minus before, over 1M (map entries and boxed keys included); this "
                    + "engine's figure is its off-heap table, `bytesAllocated()` / 1M.",
            "- **Latency**: every single acquire is timed with a `System.nanoTime()` pair, so every percentile "
                    + "includes that pair; the `nanoTimePair` row is the pair alone.",
            "- **Ratios** are this engine's score over the best competitor's in the same run, same workload "
                    + "and thread count; the 2-thread scores are totals of both threads.");
}
