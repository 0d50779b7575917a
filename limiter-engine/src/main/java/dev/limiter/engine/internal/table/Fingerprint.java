package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.time.BranchFree;

/*
 * Keys as 128-bit fingerprints (claim, publish), both non-zero, as KeyTable requires.
 *
 * 64-bit keys are stored exactly: (LONG_DOMAIN, key), or (LONG_ZERO_DOMAIN, 1) for key 0 and
 * (LONG_ZERO_DOMAIN, 2) for the key equal to KeyTable.FROZEN_PUBLISH. Two distinct long keys
 * therefore never share a slot. A narrow table (KeyTable.Layout.NARROW) stores the key itself and
 * takes no other keys (NarrowSlots).
 *
 * Strings (UTF-16 code units) and byte strings are hashed with MurmurHash3 x64-128 under a
 * per-table seed, and the two 64-bit halves are the fingerprint (a half that is 0, or a claim half
 * equal to a long-key domain or to a rotation's frozen sentinels, is remapped; this changes the collision odds by ~2^-63). Two distinct
 * strings share state only if all 128 bits collide: for n keys that happens with probability about
 * n^2 / 2^129, below 10^-26 for a billion keys. The hash is not keyed cryptographically: a caller
 * whose keys come straight from an adversary and who needs collision resistance against that
 * adversary should hash them with a keyed function first and pass the 64-bit result.
 *
 * A CharSequence key and a byte[] key with "the same" content are different keys (different
 * domains of input), and nothing here allocates.
 */
/** Reduces keys to the 128-bit fingerprints stored in a {@link KeyTable}; allocation-free. */
public final class Fingerprint {
    static final long LONG_DOMAIN = 0x4C4F4E474B455931L;      // "LONGKEY1"
    static final long LONG_ZERO_DOMAIN = 0x4C4F4E474B455930L; // "LONGKEY0"
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long BYTES_TWEAK = 0x5BD1E9955BD1E995L;

    private Fingerprint() {
    }

    /** @return the state offset of a 64-bit key, claiming it if new, or {@link KeyTable#FULL} */
    public static int find(KeyTable table, long key) {
        if (table.narrow) {
            return NarrowSlots.find(table, key);
        }
        return reserved(key) ? table.find(LONG_ZERO_DOMAIN, reservedHalf(key)) : table.find(LONG_DOMAIN, key);
    }

    /** @return whether a 64-bit key takes the zero domain: 0 and FROZEN_PUBLISH; one branch (see BranchFree) */
    static boolean reserved(long key) {
        return (BranchFree.nonZero(key) & BranchFree.nonZero(key ^ KeyTable.FROZEN_PUBLISH)) == 0;
    }

    /** @return the publish half of a reserved 64-bit key in the zero domain */
    static long reservedHalf(long key) {
        return key == 0 ? 1L : 2L;
    }

    /**
     * Lists the cache lines a 64-bit key's resolution reads first, so that a batch (BatchAcquire)
     * can load them all before it resolves any key; a hash, and no load or write. The first is the
     * home slot's (the key word, or the claim word in a wide table), where the probe starts; the
     * second, the line of the slot's first state word, only when that is another line (the slot
     * straddles one; a wide slot's publish word lies on one of the two). A narrow slot of one state
     * word (16 bytes, never straddling a line of the 64-byte-aligned table) lists one line; a
     * displaced key's next slot is on it three times in four.
     *
     * @param lines where the addresses go, from index {@code n}: room for two
     * @return the index after the last address listed
     */
    public static int touchLines(KeyTable table, long key, long[] lines, int n) {
        long home = table.narrow ? NarrowSlots.homeAddress(table, key)
                : reserved(key) ? table.homeAddress(LONG_ZERO_DOMAIN, reservedHalf(key)) : table.homeAddress(LONG_DOMAIN, key);
        long state = home + table.stateOffset;
        lines[n] = home;
        lines[n + 1] = state;
        return n + 1 + ((home ^ state) >>> 6 != 0 ? 1 : 0);      // the state word's address counts on another line only
    }

    /** @return the state offset of a 64-bit key, or -1 when absent */
    public static int lookup(KeyTable table, long key) {
        return reserved(key) ? table.lookup(LONG_ZERO_DOMAIN, reservedHalf(key)) : table.lookup(LONG_DOMAIN, key);
    }

    /** @return the state offset of a string key, claiming it if new, or {@link KeyTable#FULL} */
    public static int find(KeyTable table, CharSequence key, long seed) {
        return locate(table, key, seed, true);
    }

    /** @return the state offset of a string key, or -1 when absent; never claims a slot */
    public static int lookup(KeyTable table, CharSequence key, long seed) {
        return locate(table, key, seed, false);
    }

    /** @return the state offset of a byte-string key, claiming it if new, or {@link KeyTable#FULL} */
    public static int find(KeyTable table, byte[] key, long seed) {
        return locate(table, key, seed, true);
    }

    private static int locate(KeyTable table, CharSequence key, long seed, boolean claim) {
        if (key == null) {
            throw new NullPointerException("key must not be null");
        }
        long h1 = seed;
        long h2 = seed;
        final int len = key.length();
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long k1 = key.charAt(i) | (long) key.charAt(i + 1) << 16
                    | (long) key.charAt(i + 2) << 32 | (long) key.charAt(i + 3) << 48;
            long k2 = key.charAt(i + 4) | (long) key.charAt(i + 5) << 16
                    | (long) key.charAt(i + 6) << 32 | (long) key.charAt(i + 7) << 48;
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        for (int j = 0; i + j < len; j++) {
            long c = key.charAt(i + j);
            if (j < 4) {
                k1 |= c << (16 * j);
            } else {
                k2 |= c << (16 * (j - 4));
            }
        }
        h1 ^= mixK1(k1);
        h2 ^= mixK2(k2);
        return finish(table, h1, h2, 2L * len, claim);
    }

    private static int locate(KeyTable table, byte[] key, long seed, boolean claim) {
        if (key == null) {
            throw new NullPointerException("key must not be null");
        }
        long h1 = seed ^ BYTES_TWEAK;
        long h2 = seed ^ BYTES_TWEAK;
        final int len = key.length;
        int i = 0;
        for (; i + 16 <= len; i += 16) {
            long k1 = littleEndian(key, i, 8);
            long k2 = littleEndian(key, i + 8, 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int rest = len - i;
        long k1 = littleEndian(key, i, Math.min(rest, 8));
        long k2 = rest > 8 ? littleEndian(key, i + 8, rest - 8) : 0;
        h1 ^= mixK1(k1);
        h2 ^= mixK2(k2);
        return finish(table, h1, h2, len, claim);
    }

    private static int finish(KeyTable table, long h1, long h2, long lengthBytes, boolean claim) {
        h1 ^= lengthBytes;
        h2 ^= lengthBytes;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        long claimHalf = (h1 == 0 || h1 == LONG_DOMAIN || h1 == LONG_ZERO_DOMAIN || h1 == KeyTable.FROZEN_CLAIM)
                ? ~LONG_DOMAIN : h1;
        long publish = h2 == 0 || h2 == KeyTable.FROZEN_PUBLISH ? 1 : h2;
        return claim ? table.find(claimHalf, publish) : table.lookup(claimHalf, publish);
    }

    private static long littleEndian(byte[] b, int from, int count) {
        long v = 0;
        for (int j = 0; j < count; j++) {
            v |= (b[from + j] & 0xFFL) << (8 * j);
        }
        return v;
    }

    private static long mixK1(long k1) {
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        return k1 * C2;
    }

    private static long mixK2(long k2) {
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        return k2 * C1;
    }

    /** MurmurHash3's 64-bit finaliser: a bijection with full avalanche. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

}
