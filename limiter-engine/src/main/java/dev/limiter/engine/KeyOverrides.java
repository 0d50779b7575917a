package dev.limiter.engine;

import dev.limiter.FixedLimitException;
import dev.limiter.Limit;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.OverrideTable;

/**
 * One limiter's per-key overrides: which kernel is in force for a key's slot. Thread-safe: readers
 * take one volatile load (null until the first override, so a limiter without overrides pays a
 * null test); writers, rare operator actions, copy the immutable {@link OverrideTable} under this
 * object's lock and publish the copy with a volatile store.
 */
final class KeyOverrides {
    private final Limit limit;
    private final Kernel kernel;
    private volatile OverrideTable table;

    KeyOverrides(Limit limit, Kernel kernel) {
        this.limit = limit;
        this.kernel = kernel;
    }

    /** @return the kernel in force for the key at {@code offset}: its override, else the limit's */
    Kernel kernelAt(int offset) {
        OverrideTable t = table;
        return t == null ? kernel : t.get(offset, kernel);
    }

    /** @return whether no key has an override (so the limit's own kernel decides every key) */
    boolean none() {
        return table == null;
    }

    /**
     * @return the kernel for an override of {@code permits}, validated completely before anything changes
     * @throws FixedLimitException when the limit is fixed
     * @throws IllegalArgumentException when {@code permits} is out of range or beyond the state layout
     */
    Kernel kernelFor(long permits) {
        if (!limit.overridable()) {
            throw new FixedLimitException("limit '" + limit.name() + "' is fixed: it refuses per-key overrides"
                    + " (asked to set " + permits + " permits)");
        }
        if (permits < 1 || permits > Limit.MAX_PERMITS) {
            throw new IllegalArgumentException("limit '" + limit.name() + "': an override must be in [1, "
                    + Limit.MAX_PERMITS + "] permits, was " + permits);
        }
        return kernel.withLimit(limit.withPermits(permits));
    }

    synchronized void install(int offset, Kernel k) {
        OverrideTable t = table;
        table = t == null ? OverrideTable.of(offset, k) : t.with(offset, k);
    }

    /** @return whether the key at {@code offset} (-1: an unseen key) had an override */
    synchronized boolean uninstall(int offset) {
        OverrideTable t = table;
        if (offset < 0 || t == null || !t.contains(offset)) {
            return false;
        }
        table = t.without(offset);
        return true;
    }

    /** @return the N in force for the key at {@code offset} (-1: an unseen key, which has the limit's N) */
    long permitsAt(int offset) {
        return offset < 0 ? limit.permits() : kernelAt(offset).limit().permits();
    }
}
