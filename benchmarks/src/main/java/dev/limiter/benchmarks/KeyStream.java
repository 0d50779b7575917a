package dev.limiter.benchmarks;

import java.util.SplittableRandom;

/**
 * The keys a gateway sees: {@link #KEYS} distinct pseudo-random 64-bit ids, and a precomputed stream of
 * {@link #STREAM_LENGTH} draws from them, uniformly at random. Built from a fixed seed so every
 * run and every library sees the same sequence.
 *
 * <p>Immutable after construction and safe to share between threads; each thread walks the stream
 * through its own {@link Cursor}, starting at a different position.
 */
public final class KeyStream {
    /** Distinct ids. */
    public static final int KEYS = 1_000_000;
    /** Length of the precomputed stream; a power of two so that the cursor wraps with a mask. */
    public static final int STREAM_LENGTH = 1 << 22;
    private static final long SEED = 0x5EED_1D5L;

    private final long[] ids;
    private final long[] stream;

    /** Builds {@code keys} distinct ids and a stream of draws over them. */
    public KeyStream(int keys) {
        ids = new long[keys];
        for (int i = 0; i < keys; i++) {
            ids[i] = scramble(SEED + i); // a bijection of distinct, non-zero inputs: distinct, non-zero ids
        }
        SplittableRandom random = new SplittableRandom(SEED);
        stream = new long[STREAM_LENGTH];
        for (int i = 0; i < STREAM_LENGTH; i++) {
            stream[i] = ids[random.nextInt(keys)];
        }
    }

    /** MurmurHash3's finaliser: a bijection on 64-bit values that maps only 0 to 0. */
    private static long scramble(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** @return the distinct ids (shared; do not modify) */
    public long[] ids() {
        return ids;
    }

    /** @return the precomputed stream of draws (shared; do not modify) */
    public long[] stream() {
        return stream;
    }

    /** A thread's position in the stream; not thread-safe. */
    public static final class Cursor {
        private final long[] stream;
        private int at;

        /** Starts at a position derived from {@code salt}, so that threads do not walk in step. */
        public Cursor(KeyStream keys, long salt) {
            this.stream = keys.stream;
            this.at = (int) (salt * 0x9E3779B97F4A7C15L >>> 42);
        }

        /** @return the next key */
        public long next() {
            return stream[at++ & (STREAM_LENGTH - 1)];
        }
    }
}
