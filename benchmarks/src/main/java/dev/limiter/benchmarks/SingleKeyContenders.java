package dev.limiter.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.limiter.LimitHandle;
import dev.limiter.engine.OffHeapEngine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

/**
 * One limiter of each library on one key, in one {@link Contenders.Setting}: the shared state of
 * the single-key benchmarks. Benchmark classes extend it with a JMH {@code @State} that calls
 * {@link #open} and {@link #close}; every thread of a run then contends on the same objects.
 *
 * <p>Fields are public and written once in {@link #open}, before JMH starts the benchmark threads
 * (JMH publishes the state to them safely).
 */
public abstract class SingleKeyContenders {
    /** The one key every engine call uses. */
    public static final long KEY = 42L;

    /** This engine, owning {@link #limiter}. */
    public OffHeapEngine engine;
    /** This engine's limiter for the key. */
    public dev.limiter.RateLimiter limiter;
    /** The key resolved once. */
    public LimitHandle handle;
    /** Bucket4j, lock-free strategy. */
    public Bucket bucket4jLockFree;
    /** Bucket4j, synchronized strategy. */
    public Bucket bucket4jSynchronized;
    /** Resilience4j's AtomicRateLimiter. */
    public AtomicRateLimiter resilience4j;
    /** Guava's RateLimiter. */
    public RateLimiter guava;

    /** Builds every limiter in {@code setting}; in the denied setting, drains each one. */
    public void open(Contenders.Setting setting) {
        engine = Contenders.engine(setting, 1024);
        limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
        handle = limiter.handle(KEY);
        bucket4jLockFree = Contenders.bucket4j(setting, SynchronizationStrategy.LOCK_FREE);
        bucket4jSynchronized = Contenders.bucket4j(setting, SynchronizationStrategy.SYNCHRONIZED);
        resilience4j = Contenders.resilience4j(setting);
        guava = Contenders.guava(setting);
        if (setting == Contenders.Setting.DENIED) {
            Contenders.drain(limiter, KEY);
            Contenders.drain(bucket4jLockFree);
            Contenders.drain(bucket4jSynchronized);
            Contenders.drain(resilience4j);
            Contenders.drain(guava);
        }
    }

    /** Frees the engine's off-heap memory. */
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
