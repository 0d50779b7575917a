package dev.limiter.benchmarks;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Question: how much of a 1M-key acquire is the table's geometry (its size, and slots that
 * straddle two cache lines), measured without the engine?
 *
 * <p>{@code slotCas} does what the engine's table does for a key already present, and nothing
 * else: a read of the slot's two key words, then a read and a CAS of its state word, at a random
 * slot (the same {@link KeyStream} and mixing as {@link FloorsBenchmark}) of a region of
 * {@code slots} slots of {@code slotBytes} bytes. {@code slots} = 1.25M is the table of 1M keys
 * without eviction (load 0.8), 2.5M the table with eviction (2 C + 64 claims); 24-byte slots are
 * the token bucket's (one in four straddles two lines), 32-byte slots never straddle one. Compare
 * with {@link OneMillionKeysBenchmark} (the engine on the same key stream) and with
 * {@link FloorsBenchmark#randomCasOffHeap} (one word per slot, 1.25M slots).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class TableGeometryBenchmark {

    /** The region and the key stream. */
    @State(Scope.Benchmark)
    public static class Region {
        /** Slots in the region. */
        @Param({"1250000", "2500128"})
        public int slots;
        /** Bytes per slot. */
        @Param({"24", "32"})
        public int slotBytes;
        /** The key stream. */
        public KeyStream keys;
        /** The region. */
        public UnsafeBuffer buffer;

        /** Builds the region, every slot holding a key. */
        @Setup(Level.Trial)
        public void setUp() {
            keys = new KeyStream(KeyStream.KEYS);
            buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(slots * slotBytes, 64));
            for (int i = 0; i < slots; i++) {
                buffer.putLong(i * slotBytes, i + 1);
                buffer.putLong(i * slotBytes + 8, i + 2);
            }
        }
    }

    /** Each thread's stream position. */
    @State(Scope.Thread)
    public static class Local {
        /** The position in the stream. */
        public KeyStream.Cursor at;

        /** Starts the thread at its own offset. */
        @Setup(Level.Trial)
        public void setUp(Region r) {
            at = new KeyStream.Cursor(r.keys, Thread.currentThread().getId());
        }
    }

    /** The key words, then the state word's read and CAS, at a random slot. */
    @Benchmark
    public boolean slotCas(Region r, Local l) {
        int at = slot(l.at.next(), r.slots) * r.slotBytes;
        long claim = r.buffer.getLongVolatile(at);
        long publish = r.buffer.getLongVolatile(at + 8);
        long v = r.buffer.getLongVolatile(at + 16);
        return r.buffer.compareAndSetLong(at + 16, v, v + ((claim ^ publish) & 1) + 1);
    }

    private static int slot(long key, int slots) {
        long k = key ^ 0x9E3779B97F4A7C15L;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) Math.multiplyHigh(k & Long.MAX_VALUE, (long) slots << 1);
    }
}
