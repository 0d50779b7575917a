package dev.limiter.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Question: what does an acquire cost per key when a stream processor hands the engine its keys in
 * batches ({@code RateLimiter.tryAcquireBatch}), so that the cache misses of independent keys
 * overlap, against the same keys one at a time?
 *
 * <p>The setup is {@link OneMillionKeysBenchmark}'s: the same {@link KeyStream} over 1,000,000 ids,
 * the same engine table of capacity 1M with every key created first, the allowed setting. Every
 * invocation decides {@link #KEYS_PER_INVOCATION} consecutive keys of the thread's stream, so every
 * score is per key (ops/µs): {@code engineBatch} in batches of {@code batch} keys with one clock read
 * per batch; {@code engineSingleOwnClock} one {@code tryAcquire(key)} at a time (the engine's
 * {@code OneMillionKeysBenchmark.engineOwnClock}); {@code engineSingleOneClockRead} one at a time
 * with one clock read per {@link #KEYS_PER_INVOCATION} keys, the batch's clock cost without the
 * batch. The floor to compare with is {@code FloorsBenchmark.randomCasOffHeap} (a random read and
 * a CAS over a region the size of the table).
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'BatchAcquireBenchmark|FloorsBenchmark.randomCasOffHeap' -t 1 -prof gc
 * </pre>
 * Fork count and heap flags are fixed here so every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class BatchAcquireBenchmark {
    /** Keys decided per invocation, whatever the batch size: a multiple of every batch size. */
    public static final int KEYS_PER_INVOCATION = 256;

    /** Keys per batch. */
    @State(Scope.Benchmark)
    public static class BatchSize {
        /** Keys per batch. */
        @Param({"16", "64", "256"})
        public int batch;
    }

    /**
     * Each thread's position in the key stream (whole invocations, so a range never wraps), and its
     * buffer: a stream processor's batch of keys and the answers at the same indexes.
     */
    @State(Scope.Thread)
    public static class Window {
        /** The stream of draws, shared. */
        public long[] stream;
        /** Where the thread's next invocation starts. */
        public int at;
        /** The keys of one invocation, copied from the stream. */
        public final long[] keys = new long[KEYS_PER_INVOCATION];
        /** The answers of one invocation. */
        public final boolean[] granted = new boolean[KEYS_PER_INVOCATION];

        /** Starts the thread at its own offset, on an invocation boundary. */
        @Setup(Level.Trial)
        public void setUp(OneMillionKeysBenchmark.Keys k) {
            stream = k.keys.stream();
            at = (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 42) & -KEYS_PER_INVOCATION;
        }

        /** Copies the next invocation's keys into {@link #keys}. */
        void next() {
            System.arraycopy(stream, at, keys, 0, KEYS_PER_INVOCATION);
            at = (at + KEYS_PER_INVOCATION) & (KeyStream.STREAM_LENGTH - 1);
        }
    }

    /** This engine's batch acquire, one clock read per batch. */
    @Benchmark
    @OperationsPerInvocation(KEYS_PER_INVOCATION)
    public void engineBatch(OneMillionKeysBenchmark.Keys k, Window w, BatchSize b, Outcomes o) {
        w.next();
        int granted = 0;
        for (int from = 0; from < KEYS_PER_INVOCATION; from += b.batch) {
            granted += k.limiter.tryAcquireBatch(w.keys, from, from + b.batch, 1, k.limiter.clock().nanoTime(),
                    w.granted);
        }
        o.granted += granted;
        o.denied += KEYS_PER_INVOCATION - granted;
    }

    /** This engine's keyed API, one key at a time, each reading the clock. */
    @Benchmark
    @OperationsPerInvocation(KEYS_PER_INVOCATION)
    public void engineSingleOwnClock(OneMillionKeysBenchmark.Keys k, Window w, Outcomes o) {
        w.next();
        for (long key : w.keys) {
            o.count(k.limiter.tryAcquire(key));
        }
    }

    /** This engine's keyed API, one key at a time, with one clock read for all of them. */
    @Benchmark
    @OperationsPerInvocation(KEYS_PER_INVOCATION)
    public void engineSingleOneClockRead(OneMillionKeysBenchmark.Keys k, Window w, Outcomes o) {
        w.next();
        long now = k.limiter.clock().nanoTime();
        for (long key : w.keys) {
            o.count(k.limiter.tryAcquire(key, 1, now));
        }
    }
}
