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
 * while other threads keep the machine's cores busy acquiring (p50, p99, p99.9, max, in timer ticks),
 * and how late does a bare thread wake that parks until deadlines spaced the same way (the floor)?
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
 * <p>The floor: in segments interleaved with the waits' (so that both see the same background), the
 * driver does the same synchronous acquires at the same pace but waits for nothing, and a bare
 * thread ({@code ParkingFloor}: no engine, no wheel) takes the ticker's place: it parks with
 * {@link java.util.concurrent.locks.LockSupport#parkNanos} until each conformance time the driver reads (the
 * times the waits would have had, in the same phase against the driver's wake-ups) and records its own lateness. The same threads
 * are busy in both kinds of segment (the engine's ticker, idle then, wakes once a tick). The waits
 * allocate (a future, a waiter, a completion each) and the floor does not: a young collection's pause
 * falls in the waits' segments only, and shows in their p99.9 and max.
 *
 * <p>Writes JSON to the first argument (default {@code async-lateness.json}); {@code --quick}
 * waits fewer times; {@code --evicting-load} has the load thread acquire on random keys over 2^40
 * ids instead of 2^15, so that its table keeps rotating and the engine's eviction sweep (on the
 * ticker's thread) always has work.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.time.AsyncLateness async-lateness.json
 * </pre>
 */
public final class AsyncLateness {
    private static final int KEYS = 50_000;
    private static final int IN_FLIGHT = 5_000;
    /** One wait is started every this many nanoseconds: 10,000 waits per second. */
    private static final long PACE_NANOS = 100_000;
    private static final long HIGHEST = 3_600_000_000_000L;

    /** The driver's counters, shared with the completions on the ticker's thread. */
    private static final class Tally {
        final AtomicLong pending = new AtomicLong();
        final AtomicLong early = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
    }

    private AsyncLateness() {
    }

    /** Runs the waits and the floor in interleaved segments and writes the JSON. */
    public static void main(String[] args) throws IOException, InterruptedException {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        long loadKeys = java.util.Arrays.asList(args).contains("--evicting-load") ? 1L << 40 : 1L << 15;
        Path out = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "async-lateness.json");
        int waits = quick ? 20_000 : 200_000;
        int segments = quick ? 2 : 4;
        Limit waitLimit = Limit.tokenBucket("wait", 1_000, Duration.ofSeconds(1)).burst(1).build();
        Limit loadLimit = Limit.tokenBucket("load", 1_000_000_000, Duration.ofSeconds(1)).build();
        String loadBefore = loadAverage();
        try (OffHeapEngine engine = OffHeapEngine.builder().limit(waitLimit, KEYS).limit(loadLimit, 1 << 16).build()) {
            RateLimiter limiter = engine.rateLimiter("wait");
            RateLimiter load = engine.rateLimiter("load");
            List<Thread> loaders = startLoad(load, loadKeys, Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
            Recorder recorder = new Recorder(HIGHEST, 3);
            Recorder floor = new Recorder(HIGHEST, 3);
            Tally tally = new Tally();
            floor(limiter, waits / 20, new Recorder(HIGHEST, 3), tally);                       // warm-up
            run(engine, limiter, waits / 10, new Recorder(HIGHEST, 3), tally);
            tally.early.set(0);
            tally.refused.set(0);
            for (int s = 0; s < segments; s++) {
                floor(limiter, waits / segments, floor, tally);
                run(engine, limiter, waits / segments, recorder, tally);
            }
            Histogram h = recorder.getIntervalHistogram();
            Histogram f = floor.getIntervalHistogram();
            loaders.forEach(Thread::interrupt);
            for (Thread t : loaders) {
                t.join();
            }
            write(out, h, f, engine.timerTickNanos(), tally, loaders.size(), loadKeys, segments,
                    engine.timerLatenessNanos(99.0), loadBefore + " / " + loadAverage());
        }
    }

    /** The waits: see the class comment; each completion records its lateness in {@code recorder}. */
    private static void run(OffHeapEngine engine, RateLimiter limiter, int waits, Recorder recorder, Tally tally) {
        Decision d = new Decision();
        long next = System.nanoTime();
        for (int i = 0; i < waits; i++) {
            next = pace(next, tally);
            long key = i % KEYS;
            long conforms = emptyBucket(limiter, key, d);
            tally.pending.incrementAndGet();
            CompletableFuture<Decision> f = engine.async().acquire(limiter, key, 1, Duration.ofSeconds(1));
            f.whenComplete((granted, failure) -> {
                long late = System.nanoTime() - conforms;
                if (failure != null) {
                    tally.refused.incrementAndGet();
                } else if (late < 0) {
                    tally.early.incrementAndGet();
                } else {
                    recorder.recordValue(late);
                }
                tally.pending.decrementAndGet();
            });
        }
        while (tally.pending.get() > 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The floor: the driver's same synchronous work at the same pace, and a bare thread parking to each conformance time. */
    private static void floor(RateLimiter limiter, int waits, Recorder into, Tally tally) throws InterruptedException {
        Decision d = new Decision();
        ParkingFloor parker = new ParkingFloor(waits, into);
        long next = System.nanoTime();
        for (int i = 0; i < waits; i++) {
            next = pace(next, tally);
            parker.add(emptyBucket(limiter, i % KEYS, d));
        }
        parker.join();
    }

    /** Waits for the next start time (and for room among the pending waits) and returns it. */
    private static long pace(long previous, Tally tally) {
        long next = previous + PACE_NANOS;
        for (long left = next - System.nanoTime(); left > 0 || tally.pending.get() >= IN_FLIGHT;
             left = next - System.nanoTime()) {
            LockSupport.parkNanos(Math.max(left, 10_000));
        }
        return next;
    }

    /** Takes the key's permits until refused and returns the exact time the next permit conforms. */
    private static long emptyBucket(RateLimiter limiter, long key, Decision d) {
        long now = System.nanoTime();
        while (limiter.tryAcquire(key, 1, now, d)) {
            now = System.nanoTime();                      // empty the bucket: the next request must wait
        }
        return now + d.retryAfterNanos();
    }

    private static List<Thread> startLoad(RateLimiter load, long keys, int threads) {
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                boolean sink = true;
                while (!Thread.currentThread().isInterrupted()) {
                    for (int i = 0; i < 1_000; i++) {
                        sink ^= load.tryAcquire(r.nextLong(keys), 1);
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

    private static void write(Path out, Histogram h, Histogram f, long tick, Tally tally, int loadThreads,
                              long loadKeys, int segments, long wheelP99, String load) throws IOException {
        String json = String.format(Locale.ROOT, "{%n  \"question\": \"lateness of async acquires after their conformance time,"
                        + " under %d busy load thread(s) on %d keys\",%n  \"tickNanos\": %d,%n  \"segments\": %d,%n"
                        + "  \"loadAverage\": \"%s\",%n  \"completed\": %d,%n  \"early\": %d,%n"
                        + "  \"refused\": %d,%n  \"latenessNanos\": %s,%n  \"latenessTicks\": %s,%n"
                        + "  \"wheelLatenessP99Nanos\": %d,%n  \"floorDeadlines\": %d,%n"
                        + "  \"floorLatenessNanos\": %s,%n  \"floorLatenessTicks\": %s%n}%n",
                loadThreads, loadKeys, tick, segments, load, h.getTotalCount(), tally.early.get(), tally.refused.get(),
                nanos(h), ticks(h, tick), wheelP99, f.getTotalCount(), nanos(f), ticks(f, tick));
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.print(json);
    }

    private static String nanos(Histogram h) {
        return String.format(Locale.ROOT, "{\"p50\": %d, \"p99\": %d, \"p99.9\": %d, \"max\": %d, \"mean\": %.1f}",
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                h.getMean());
    }

    private static String ticks(Histogram h, long tick) {
        double t = tick;
        return String.format(Locale.ROOT, "{\"p50\": %.2f, \"p99\": %.2f, \"p99.9\": %.2f, \"max\": %.2f}",
                h.getValueAtPercentile(50) / t, h.getValueAtPercentile(99) / t, h.getValueAtPercentile(99.9) / t,
                h.getMaxValue() / t);
    }

    /** @return the machine's load averages (1, 5, 15 min) where the system shows them, else "n/a" */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim().split(" ");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "n/a";
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
