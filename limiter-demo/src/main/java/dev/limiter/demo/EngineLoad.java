package dev.limiter.demo;

import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.RateLimiter;
import dev.limiter.engine.OffHeapEngine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes millions of acquires over a million keys through the engine, on the system clock, from
 * every core, and prints decisions per second with the granted and denied counts.
 *
 * <p>Keys are skewed the way a gateway sees callers: 1% of them make half of the requests, so hot
 * keys hit their limit while the long tail is admitted.
 */
final class EngineLoad {
    private static final int KEYS = 1_000_000;

    private EngineLoad() {
    }

    static void run(long decisions) throws InterruptedException {
        Limit perKey = Limit.tokenBucket("per-key", 20, Duration.ofSeconds(1)).build();
        Limit perWindow = Limit.fixedWindow("per-key-minute", 600, Duration.ofMinutes(1)).build();
        int threads = Runtime.getRuntime().availableProcessors();
        long[] keys = skewedKeys(1 << 23);
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(Clock.system()).longKeysOnly()   // keys are 64-bit ids
                .limit(perKey, KEYS).limit(perWindow, KEYS).build()) {
            System.out.printf("limiter demo: %,d decisions over %,d keys on %d threads%n", decisions, KEYS, threads);
            for (Limit limit : List.of(perKey, perWindow)) {
                load(engine.rateLimiter(limit.name()), keys, decisions, threads);
            }
            System.out.printf("off-heap tables: %,d bytes (%.1f bytes per key of capacity: 64-bit keys, idle-key eviction on)%n",
                    engine.bytesAllocated(), engine.bytesAllocated() / (2.0 * KEYS));
            Decision d = new Decision();
            RateLimiter limiter = engine.rateLimiter("per-key");
            long hot = keys[0];
            while (limiter.tryAcquire(hot, 1, System.nanoTime(), d)) {
                // drain the hottest key to show what a denial carries
            }
            System.out.println("a denied decision: " + d);
        }
    }

    private static void load(RateLimiter limiter, long[] keys, long decisions, int threads) throws InterruptedException {
        AtomicLong granted = new AtomicLong();
        long perThread = decisions / threads;
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            final int offset = t * 7919;
            Thread w = new Thread(() -> {
                long mine = 0;
                int mask = keys.length - 1;
                for (long i = 0; i < perThread; i++) {
                    if (limiter.tryAcquire(keys[(int) ((i + offset) & mask)])) {
                        mine++;
                    }
                }
                granted.addAndGet(mine);
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - start;
        long total = perThread * threads;
        System.out.printf("  %-16s %,12d decisions in %6.3f s = %,6.1f million decisions/s; granted %,d, denied %,d; %,d keys%n",
                limiter.limit().name(), total, elapsed / 1e9, total * 1e3 / elapsed, granted.get(),
                total - granted.get(), limiter.keyCount());
    }

    /** Half the draws from the hottest 1% of keys, half uniform over all of them. */
    private static long[] skewedKeys(int n) {
        SplittableRandom random = new SplittableRandom(2026);
        long[] ids = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            ids[i] = random.nextLong();
        }
        long[] draws = new long[n];
        for (int i = 0; i < n; i++) {
            draws[i] = random.nextBoolean() ? ids[random.nextInt(KEYS / 100)] : ids[random.nextInt(KEYS)];
        }
        return draws;
    }
}
