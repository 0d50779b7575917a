package dev.limiter.benchmarks;

import dev.limiter.engine.OffHeapEngine;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Question: what are the physical floors each limiter figure should be compared with?
 *
 * <ul>
 *   <li>{@code nanoTime}: one {@link System#nanoTime()}, the clock read any acquire that reads
 *       its own clock pays;</li>
 *   <li>{@code currentTimeMillis}: the clock Bucket4j reads by default (its millisecond time
 *       meter), to compare clock costs like for like;</li>
 *   <li>{@code casOffHeap}: one uncontended compare-and-set on an off-heap long (Agrona
 *       {@code UnsafeBuffer.compareAndSetLong}), each thread on its own cache line;</li>
 *   <li>{@code nanoTimeCasOffHeap}: a {@link System#nanoTime()} followed by that CAS, the floor of a
 *       single-key acquire on its own clock (the clock read and the CAS do not overlap);</li>
 *   <li>{@code sharedNanoTimeCas}: a {@link System#nanoTime()}, then a CAS retried until it
 *       succeeds on one word every thread updates: the floor of one hot key on its own clock
 *       (with two threads, the line moves between cores on every update);</li>
 *   <li>{@code nanoTimeReadOffHeap}: a {@link System#nanoTime()}, then one read of a word on the
 *       thread's own line compared with the time: the floor of a single-key denial on its own
 *       clock, decided from a plain read (nothing written);</li>
 *   <li>{@code nanoTimeKeyedCasOffHeap} and {@code nanoTimeKeyedReadOffHeap}: the two above,
 *       reaching their word through a 64-bit key (hash, read of the key word, compare) in a
 *       one-line table: the floors of the same decisions through a keyed API;</li>
 *   <li>{@code randomReadOffHeap} and {@code randomReadHeap}: one read at a random 16-byte slot
 *       of a region as large as the engine's table for 1M token-bucket 64-bit keys (as many slots
 *       as that table allocates, with the room eviction's rotations claim into: 2.5M slots, 40 MB),
 *       off-heap and as a {@code long[]}, the slot picked from the same
 *       {@link KeyStream} with the same mixing the engine uses: a cache miss per call. Reads of
 *       successive calls are independent, so the CPU overlaps their misses;</li>
 *   <li>{@code randomCasOffHeap}: the same random slot read, then a CAS on it: the floor of any
 *       lock-free table update, whose full fence stops the next call's miss from overlapping
 *       this one;</li>
 *   <li>{@code batchReadCasOffHeap}: the reads of a group of 64 random slots, then a read and a
 *       CAS of each: the floor of a batch acquire, per key;</li>
 *   <li>{@code nanoTimeRandomCasOffHeap}: a {@link System#nanoTime()}, then that random read and
 *       CAS: the floor of the 1M-key acquire on its own clock (with the table's lines evicting the
 *       clock's own data, the clock read can miss too);</li>
 *   <li>{@code mapLookup}: {@code ConcurrentHashMap<Long, Object>.get} over the same 1M keys,
 *       boxing included: the floor of every competitor's 1M-key setup.</li>
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar FloorsBenchmark -t 1 -prof gc -rf json -rff floors-t1.json
 * java -jar benchmarks/target/benchmarks.jar FloorsBenchmark -t 2 -prof gc -rf json -rff floors-t2.json
 * </pre>
 * Fork count and heap flags are fixed here so every run is comparable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class FloorsBenchmark {
    /** Bytes per slot of the engine's token-bucket table for 64-bit keys: the key word and one state word. */
    static final int SLOT_BYTES = 16;
    /** Offset of the state word within a slot. */
    static final int STATE_OFFSET = 8;
    /** Keys a batch reads before it writes any: the engine's batch group. */
    static final int BATCH_GROUP = 64;
    /**
     * Slots of the engine's table for 1M token-bucket keys, as the engine sizes it (load factor 0.8,
     * and the room that eviction's rotations claim into): its allocated bytes over the slot size,
     * read from an engine built as the 1M-key benchmarks build theirs, so the floor follows the table.
     */
    static final int SLOTS = engineSlots();

    private static int engineSlots() {
        try (OffHeapEngine e = Contenders.engine(Contenders.Setting.ALLOWED, KeyStream.KEYS)) {
            return (int) (e.bytesAllocated() / SLOT_BYTES);
        }
    }

    /** The shared regions and map, built only for the benchmark that reads them. */
    @State(Scope.Benchmark)
    public static class Regions {
        /** The key stream. */
        public KeyStream keys;
        /** An off-heap region the size of the engine's 1M-key table. */
        public UnsafeBuffer offHeap;
        /** The same region on the heap. */
        public long[] heap;
        /** 1M keys in a map. */
        public ConcurrentHashMap<Long, Object> map;

        /** Builds what the running benchmark reads. */
        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            String b = params.getBenchmark();
            keys = new KeyStream(KeyStream.KEYS);
            if (b.endsWith("randomReadOffHeap") || b.endsWith("randomCasOffHeap") || b.endsWith("RandomCasOffHeap")
                    || b.endsWith("batchReadCasOffHeap")) {
                offHeap = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SLOTS * SLOT_BYTES, 64));
                for (int i = 0; i < SLOTS; i++) {
                    offHeap.putLong(i * SLOT_BYTES, i);
                }
            } else if (b.endsWith("randomReadHeap")) {
                heap = new long[SLOTS * SLOT_BYTES / 8];
                for (int i = 0; i < heap.length; i++) {
                    heap[i] = i;
                }
            } else if (b.endsWith("mapLookup")) {
                map = new ConcurrentHashMap<>();
                Object value = new Object();
                for (long id : keys.ids()) {
                    map.put(id, value);
                }
            }
        }
    }

    /** One word every thread updates: the state of one hot key. */
    @State(Scope.Benchmark)
    public static class Shared {
        /** One cache line of direct memory shared by every thread. */
        public final UnsafeBuffer word = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    }

    /** Each thread's own CAS target (on its own cache line) and stream position. */
    @State(Scope.Thread)
    public static class Local {
        /** One cache line of direct memory owned by this thread. */
        public final UnsafeBuffer word = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        /** The thread's position in the key stream. */
        public KeyStream.Cursor at;
        /** The slot offsets of one group of {@code batchReadCasOffHeap}. */
        public final int[] group = new int[BATCH_GROUP];
        /** The one-line table of the keyed floors, on its own line: four 16-byte slots of key and state. */
        public final UnsafeBuffer keyed = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        /** The key of the keyed floors, stored in every slot of {@link #keyed}. */
        public long key = 42L;

        /** Starts the thread at its own offset. */
        @Setup(Level.Trial)
        public void setUp(Regions r) {
            at = new KeyStream.Cursor(r.keys, Thread.currentThread().getId());
            for (int i = 0; i < 64; i += SLOT_BYTES) {
                keyed.putLong(i, key);
            }
        }

        /** @return the offset of {@link #key}'s slot in {@link #keyed}, found by hash and compare; -1 if absent */
        int keyedSlot() {
            long k = key;
            int at = (int) ((k * 0x9E3779B97F4A7C15L) >>> 62) * SLOT_BYTES;
            return keyed.getLongVolatile(at) == k ? at : -1;
        }
    }

    /** The clock read. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    /** The wall clock Bucket4j's default time meter reads. */
    @Benchmark
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    /** One uncontended CAS on an off-heap long: read, then swap in the successor. */
    @Benchmark
    public boolean casOffHeap(Local l) {
        long v = l.word.getLongVolatile(0);
        return l.word.compareAndSetLong(0, v, v + 1);
    }

    /**
     * One clock read, then a read and a CAS of one word on the thread's own line (the new value
     * depends on the time, as a token bucket's does): the floor of a single-key acquire that reads
     * its own clock.
     */
    @Benchmark
    public boolean nanoTimeCasOffHeap(Local l) {
        long now = System.nanoTime();
        long v = l.word.getLongVolatile(0);
        return l.word.compareAndSetLong(0, v, Math.max(v, now) + 1);
    }

    /**
     * {@code nanoTimeCasOffHeap} reached through a 64-bit key, as a keyed acquire reaches its state:
     * a clock read; the key's slot in a one-line table (one multiply hash of the key, a read of the
     * slot's key word and a compare with the key); then the read and the CAS of the slot's state
     * word. The floor of a single-key acquire through a keyed API on its own clock.
     */
    @Benchmark
    public boolean nanoTimeKeyedCasOffHeap(Local l) {
        long now = System.nanoTime();
        int at = l.keyedSlot();
        if (at < 0) {
            return false;
        }
        long v = l.keyed.getLongVolatile(at + STATE_OFFSET);
        return l.keyed.compareAndSetLong(at + STATE_OFFSET, v, Math.max(v, now) + 1);
    }

    /**
     * {@code nanoTimeReadOffHeap} reached through a 64-bit key, as {@code nanoTimeKeyedCasOffHeap}
     * reaches it: the floor of a single-key denial through a keyed API on its own clock.
     */
    @Benchmark
    public boolean nanoTimeKeyedReadOffHeap(Local l) {
        long now = System.nanoTime();
        int at = l.keyedSlot();
        return at >= 0 && l.keyed.getLongVolatile(at + STATE_OFFSET) > now;
    }

    /**
     * A clock read, then a read and a CAS on one word that every thread updates, retried until it
     * succeeds: one granted decision on one hot key, with nothing else. With two threads the line
     * moves between cores on every update.
     */
    @Benchmark
    public long sharedNanoTimeCas(Shared sh) {
        long now = System.nanoTime();
        for (;;) {
            long v = sh.word.getLongVolatile(0);
            long next = Math.max(v, now) + 1;
            if (sh.word.compareAndSetLong(0, v, next)) {
                return next;
            }
        }
    }

    /**
     * A clock read, then a plain read of one word on the thread's own line compared with the time:
     * a single-key denial on its own clock, which writes nothing.
     */
    @Benchmark
    public boolean nanoTimeReadOffHeap(Local l) {
        long now = System.nanoTime();
        return l.word.getLongVolatile(0) > now;
    }

    /** One read at a random slot of an off-heap region the size of the engine's table. */
    @Benchmark
    public long randomReadOffHeap(Regions r, Local l) {
        return r.offHeap.getLongVolatile(slot(l.at.next()) * SLOT_BYTES);
    }

    /** A read at a random slot of the same region, then a CAS on the slot's state word. */
    @Benchmark
    public boolean randomCasOffHeap(Regions r, Local l) {
        int at = slot(l.at.next()) * SLOT_BYTES + STATE_OFFSET;
        long v = r.offHeap.getLongVolatile(at);
        return r.offHeap.compareAndSetLong(at, v, v + 1);
    }

    /**
     * The floor of a batch acquire, per key: the reads of {@link #BATCH_GROUP} random slots of the
     * same region first (independent, so their misses overlap as far as the machine lets them; the
     * offsets are computed in a loop of their own, so that the loop of loads is short enough for the
     * reorder buffer to hold the whole group's misses), then a read and a CAS of each slot's state
     * word, with nothing else: no hash of a key, no probe and no decision. A batch must at least
     * read every key's slot and write it with a CAS.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH_GROUP)
    public long batchReadCasOffHeap(Regions r, Local l) {
        int[] at = l.group;
        long touched = 0;
        for (int i = 0; i < BATCH_GROUP; i++) {         // the offsets first, with no load: runs ahead of every miss
            at[i] = slot(l.at.next()) * SLOT_BYTES + STATE_OFFSET;
        }
        for (int i = 0; i < BATCH_GROUP; i++) {         // then the loads alone, so that the group's misses are in flight at once
            touched ^= r.offHeap.getLongVolatile(at[i]);
        }
        for (int i = 0; i < BATCH_GROUP; i++) {
            long v = r.offHeap.getLongVolatile(at[i]);
            touched ^= r.offHeap.compareAndSetLong(at[i], v, v + 1) ? v : 0;
        }
        return touched;
    }

    /**
     * The own-clock form of {@code randomCasOffHeap}: a clock read, then the read and the CAS at a
     * random slot, as an engine that reads its own clock does per decision. With the table's lines
     * evicting everything else, the clock read itself can miss, so this floor is more than the sum
     * of {@code nanoTime} and {@code randomCasOffHeap}.
     */
    @Benchmark
    public boolean nanoTimeRandomCasOffHeap(Regions r, Local l) {
        long now = System.nanoTime();
        int at = slot(l.at.next()) * SLOT_BYTES + STATE_OFFSET;
        long v = r.offHeap.getLongVolatile(at);
        return r.offHeap.compareAndSetLong(at, v, Math.max(v, now) + 1);
    }

    /** One read at a random slot of a heap array the size of the engine's table. */
    @Benchmark
    public long randomReadHeap(Regions r, Local l) {
        return r.heap[slot(l.at.next()) * (SLOT_BYTES / 8)];
    }

    /** One {@code ConcurrentHashMap.get} over 1M boxed keys. */
    @Benchmark
    public Object mapLookup(Regions r, Local l) {
        return r.map.get(l.at.next());
    }

    /** The home slot of a key: the same 64-bit mix and range reduction as the engine's table. */
    static int slot(long key) {
        long k = key ^ 0x9E3779B97F4A7C15L;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) Math.multiplyHigh(k & Long.MAX_VALUE, (long) SLOTS << 1);
    }
}
