package dev.limiter.benchmarks;

import dev.limiter.RateLimiter;
import dev.limiter.engine.OffHeapEngine;

import java.util.function.LongUnaryOperator;

/**
 * {@link OneMillionKeysBenchmark}'s engine work as an {@code ab.InterleavedComparison} workload:
 * one granted {@code tryAcquire(key)} on the engine's own clock per operation, keys drawn from the
 * same stream over {@code ab.keys} ids (default 1,000,000); with {@code ab.keys=1}, one hot key;
 * with {@code ab.clock=cached}, on the engine's opt-in cached clock.
 * Returns the grants.
 */
public final class OneMillionKeysWorkload implements LongUnaryOperator, AutoCloseable {
    private final OffHeapEngine engine;
    private final RateLimiter limiter;
    private final long[] stream;
    private int at;

    public OneMillionKeysWorkload() {
        int keys = Integer.getInteger("ab.keys", KeyStream.KEYS);
        KeyStream ks = new KeyStream(keys);
        engine = "cached".equals(System.getProperty("ab.clock"))
                ? Contenders.cachedClockEngine(Contenders.Setting.ALLOWED, keys)
                : Contenders.engine(Contenders.Setting.ALLOWED, keys);
        limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
        for (long id : ks.ids()) {
            limiter.tryAcquire(id);
        }
        stream = ks.stream();
    }

    @Override
    public long applyAsLong(long n) {
        long granted = 0;
        for (long i = 0; i < n; i++) {
            granted += limiter.tryAcquire(stream[at]) ? 1 : 0;
            at = (at + 1) & (KeyStream.STREAM_LENGTH - 1);
        }
        return granted;
    }

    @Override
    public void close() {
        engine.close();
    }
}
