package dev.limiter.internal;

import java.util.Objects;

/** The argument checks of a batch acquire, shared by the interface's default and by engines; stateless. */
public final class BatchArguments {
    private BatchArguments() {
    }

    /**
     * Checks a batch before any of it is decided.
     *
     * @throws NullPointerException when {@code keys} or {@code granted} is null
     * @throws IndexOutOfBoundsException when {@code [from, to)} is not a range of both arrays
     * @throws IllegalArgumentException when {@code permits < 1}
     */
    public static void check(long[] keys, int from, int to, long permits, boolean[] granted) {
        Objects.requireNonNull(keys, "keys must not be null");
        Objects.requireNonNull(granted, "granted must not be null");
        Objects.checkFromToIndex(from, to, keys.length);
        Objects.checkFromToIndex(from, to, granted.length);
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
    }
}
