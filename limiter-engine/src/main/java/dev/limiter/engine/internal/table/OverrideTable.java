package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.kernel.Kernel;

import java.util.Arrays;

/*
 * Per-key overrides as an immutable open-addressed map from a key's slot offset to the kernel that
 * enforces its own limit.
 *
 * Why a side map. A non-overridden key must pay nothing: the limiter holds a volatile reference
 * that is null until the first override, so the hot path costs one load and a null test. Once some
 * keys are overridden, a lookup is one multiply-shift hash and a short probe over int[]: no
 * allocation, no lock. The map is copy-on-write: writers (operator actions, rare) build a new map
 * under the limiter's lock and publish it with a volatile store; readers see either the old map or
 * the new one, each complete.
 *
 * State is untouched: an override kernel reads the same slot with the same layout (see
 * Kernel.withLimit), so the key keeps every permit already counted.
 *
 * Offsets are slot state offsets (>= KeyTable.STATE_OFFSET > 0), so 0 marks an empty entry.
 */
/** An immutable map from slot offset to override kernel; thread-safe by immutability. */
public final class OverrideTable {
    private final int[] offsets;
    private final Kernel[] kernels;
    private final int mask;
    private final int size;

    private OverrideTable(int[] offsets, Kernel[] kernels, int size) {
        this.offsets = offsets;
        this.kernels = kernels;
        this.mask = offsets.length - 1;
        this.size = size;
    }

    /** @return a map holding only {@code offset -> kernel} */
    public static OverrideTable of(int offset, Kernel kernel) {
        return build(new int[] {offset}, new Kernel[] {kernel}, 1);
    }

    private static int home(int offset, int mask) {
        return (int) ((offset * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    private static OverrideTable build(int[] offs, Kernel[] ks, int n) {
        int cap = Integer.highestOneBit(Math.max(2, n * 2 + 1)) << 1;
        int[] o = new int[cap];
        Kernel[] k = new Kernel[cap];
        for (int i = 0; i < n; i++) {
            int at = home(offs[i], cap - 1);
            while (o[at] != 0) {
                at = (at + 1) & (cap - 1);
            }
            o[at] = offs[i];
            k[at] = ks[i];
        }
        return new OverrideTable(o, k, n);
    }

    /** @return the override kernel of {@code offset}, or {@code fallback} */
    public Kernel get(int offset, Kernel fallback) {
        int at = home(offset, mask);
        for (;;) {
            int o = offsets[at];
            if (o == offset) {
                return kernels[at];
            }
            if (o == 0) {
                return fallback;
            }
            at = (at + 1) & mask;
        }
    }

    /** @return a map with {@code offset -> kernel} added or replaced */
    public OverrideTable with(int offset, Kernel kernel) {
        int[] offs = new int[size + 1];
        Kernel[] ks = new Kernel[size + 1];
        int n = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != 0 && offsets[i] != offset) {
                offs[n] = offsets[i];
                ks[n++] = kernels[i];
            }
        }
        offs[n] = offset;
        ks[n++] = kernel;
        return build(offs, ks, n);
    }

    /** @return a map without {@code offset}, or null when it would be empty */
    public OverrideTable without(int offset) {
        int[] offs = new int[size];
        Kernel[] ks = new Kernel[size];
        int n = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != 0 && offsets[i] != offset) {
                offs[n] = offsets[i];
                ks[n++] = kernels[i];
            }
        }
        return n == 0 ? null : build(Arrays.copyOf(offs, n), Arrays.copyOf(ks, n), n);
    }

    /** @return whether {@code offset} has an override */
    public boolean contains(int offset) {
        return get(offset, null) != null;
    }

    /** @return how many keys are overridden */
    public int size() {
        return size;
    }
}
