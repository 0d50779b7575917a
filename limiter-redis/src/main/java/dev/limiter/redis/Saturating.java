package dev.limiter.redis;

/**
 * Saturating 64-bit arithmetic, the same rules as the engine's: results clamp at the ends of the
 * long range instead of wrapping, so an overflow only ever makes a limit more conservative.
 */
final class Saturating {
    private Saturating() {
    }

    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** @return a &times; b for non-negative a and b, clamped at {@link Long#MAX_VALUE} */
    static long multiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (hi != 0 || lo < 0) {
            return Long.MAX_VALUE;
        }
        return lo;
    }

    /** @return a &times; b for non-negative a and b as an unsigned 64-bit value, clamped at 2^64 - 1 */
    static long multiplyUnsigned(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 ? -1L : a * b;
    }

    /** @return a &times; b for any signs, clamped to the long range */
    static long multiplySigned(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo;
        }
        return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    /** @return ceil(a / b) for a &ge; 0 and b &gt; 0 */
    static long ceilDiv(long a, long b) {
        long q = a / b;
        return q * b == a ? q : q + 1;
    }

    /** @return an unsigned 64-bit value clamped into [0, {@link Long#MAX_VALUE}] */
    static long clampUnsigned(long unsigned) {
        return unsigned < 0 ? Long.MAX_VALUE : unsigned;
    }
}
