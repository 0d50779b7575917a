package dev.limiter.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** A fixed set of threads for the concurrent properties: each race starts every caller at one barrier and waits for all. */
final class RacingCallers implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    RacingCallers(int threads) {
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
    }

    /** Runs {@code work(0)} to {@code work(threads - 1)} at once, one per thread; a failure or a minute's wait fails the race. */
    void race(IntConsumer work) {
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int self = t;
            futures.add(pool.submit(() -> {
                go.await();
                work.accept(self);
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
