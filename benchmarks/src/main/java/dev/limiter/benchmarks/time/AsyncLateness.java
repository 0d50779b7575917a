package dev.limiter.benchmarks.time;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.RateLimiter;
import dev.limiter.engine.OffHeapEngine;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Question: how late does an asynchronous acquire complete after the time its request conforms,
 * while other threads keep the machine's cores busy acquiring (p50, p99, p99.9, max, in timer ticks)?
 *
 * <p>Setup: one engine on the system clock, a token bucket of 1,000 permits per second with a burst
 * of 1 per key (one permit per millisecond), 50,000 keys. For each wait the driver empties a key's
 * bucket with synchronous acquires, reads the denial's retry-after r (the exact conformance time
 * now + r of a token bucket), then acquires one permit asynchronously with a maximum wait of one
 * second; a new wait starts every {@value #PACE_NANOS} ns (10,000 per second), so the ticker is measured
 * for lateness, not saturated. The completion, on the engine's ticker thread, records its lateness: the reading of
 * {@link System#nanoTime()} at completion minus the conformance time. Meanwhile one load thread per
 * remaining core acquires on random keys of a second limit without pause, so the ticker competes
 * for the CPU. The driver keeps at most {@value #IN_FLIGHT} waits pending.
 *
 * <p>Writes JSON to the first argument (default {@code async-lateness.json}); {@code --quick}
 * waits fewer times.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.time.AsyncLateness async-lateness.json
 * </pre>
 */
public final class AsyncLateness {
    private static final int KEYS = 50_000;
    private static final int IN_FLIGHT = 5_000;
    /** One wait is started every this many nanoseconds: 10,000 waits per second. */
    private static final long PACE_NANOS = 100_000;

    private AsyncLateness() {
    }

    /** Runs the waits and writes the JSON. */
    public static void main(String[] args) throws IOException, InterruptedException {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        Path out = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "async-lateness.json");
        int waits = quick ? 20_000 : 200_000;
        Limit waitLimit = Limit.tokenBucket("wait", 1_000, Duration.ofSeconds(1)).burst(1).build();
        Limit loadLimit = Limit.tokenBucket("load", 1_000_000_000, Duration.ofSeconds(1)).build();
        try (OffHeapEngine engine = OffHeapEngine.builder().limit(waitLimit, KEYS).limit(loadLimit, 1 << 16).build()) {
            RateLimiter limiter = engine.rateLimiter("wait");
            RateLimiter load = engine.rateLimiter("load");
            List<Thread> loaders = startLoad(load, Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
            Recorder recorder = new Recorder(3_600_000_000_000L, 3);
            AtomicLong pending = new AtomicLong();
            AtomicLong early = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            run(engine, limiter, waits / 10, new Recorder(3_600_000_000_000L, 3), pending, early, refused); // warm-up
            early.set(0);
            refused.set(0);
            run(engine, limiter, waits, recorder, pending, early, refused);
            Histogram h = recorder.getIntervalHistogram();
            loaders.forEach(Thread::interrupt);
            for (Thread t : loaders) {
                t.join();
            }
            write(out, h, engine.timerTickNanos(), early.get(), refused.get(), loaders.size(),
                    engine.timerLatenessNanos(99.0));
        }
    }

    private static void run(OffHeapEngine engine, RateLimiter limiter, int waits, Recorder recorder,
                            AtomicLong pending, AtomicLong early, AtomicLong refused) {
        Decision d = new Decision();
        long next = System.nanoTime();
        for (int i = 0; i < waits; i++) {
            next += PACE_NANOS;
            for (long left = next - System.nanoTime(); left > 0 || pending.get() >= IN_FLIGHT;
                 left = next - System.nanoTime()) {
                LockSupport.parkNanos(Math.max(left, 10_000));
            }
            long key = i % KEYS;
            long now = System.nanoTime();
            while (limiter.tryAcquire(key, 1, now, d)) {
                now = System.nanoTime();                      // empty the bucket: the next request must wait
            }
            long conforms = now + d.retryAfterNanos();
            pending.incrementAndGet();
            CompletableFuture<Decision> f = engine.async().acquire(limiter, key, 1, Duration.ofSeconds(1));
            f.whenComplete((granted, failure) -> {
                long late = System.nanoTime() - conforms;
                if (failure != null) {
                    refused.incrementAndGet();
                } else if (late < 0) {
                    early.incrementAndGet();
                } else {
                    recorder.recordValue(late);
                }
                pending.decrementAndGet();
            });
        }
        while (pending.get() > 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static List<Thread> startLoad(RateLimiter load, int threads) {
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                boolean sink = true;
                while (!Thread.currentThread().isInterrupted()) {
                    for (int i = 0; i < 1_000; i++) {
                        sink ^= load.tryAcquire(r.nextInt(1 << 15), 1);
                    }
                }
                if (sink && r.nextInt() == 42) {
                    System.out.print("");
                }
            }, "load-" + t);
            th.setDaemon(true);
            th.start();
            list.add(th);
        }
        return list;
    }

    private static void write(Path out, Histogram h, long tick, long early, long refused, int loadThreads,
                              long wheelP99) throws IOException {
        String json = String.format(Locale.ROOT, "{%n  \"question\": \"lateness of async acquires after their conformance time,"
                        + " under %d busy load thread(s)\",%n  \"tickNanos\": %d,%n  \"completed\": %d,%n  \"early\": %d,%n"
                        + "  \"refused\": %d,%n  \"latenessNanos\": {\"p50\": %d, \"p99\": %d, \"p99.9\": %d, \"max\": %d,"
                        + " \"mean\": %.1f},%n  \"latenessTicks\": {\"p50\": %.2f, \"p99\": %.2f, \"p99.9\": %.2f},%n"
                        + "  \"wheelLatenessP99Nanos\": %d%n}%n",
                loadThreads, tick, h.getTotalCount(), early, refused, h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(),
                h.getValueAtPercentile(50) / (double) tick, h.getValueAtPercentile(99) / (double) tick,
                h.getValueAtPercentile(99.9) / (double) tick, wheelP99);
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.print(json);
    }
}
