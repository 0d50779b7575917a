package dev.limiter.engine.internal.time;

/*
 * Comparisons as arithmetic, for the few places on the acquire path where a branch costs more than
 * it decides.
 *
 * Why. The JIT compiles a branch that its warm-up profile never saw taken as a deoptimisation
 * trap, and every trap carries code that saves the method's live values. On the inlined acquire
 * path those traps (one per rarely-true comparison: a reserved key, a key away from its home slot,
 * a stale cached clock, a permit count out of range) add up to more machine code than the decision
 * itself, which pushes the compiled path over the size the JIT still inlines into callers. Each
 * method here computes its answer from the sign bit of a difference (Hacker's Delight, 2-12 and
 * 2-13), so a caller can fold several conditions into one word and branch once.
 *
 * Not everywhere: folding the token-bucket step's four conditions and the staleness floor's two
 * this way made the single-key acquire slower in an interleaved A/B (the arithmetic sits between
 * the state load and the CAS, where predicted branches cost nothing), so those keep their branches.
 */
/** Branch-free comparisons on 64-bit values: each returns 0 or 1 without a branch. */
public final class BranchFree {
    private BranchFree() {
    }

    /** @return 1 when {@code a < b} as unsigned values, else 0 (the borrow out of a - b) */
    public static long belowUnsigned(long a, long b) {
        return ((~a & b) | (~(a ^ b) & (a - b))) >>> 63;
    }

    /** @return 1 when {@code a < b} as signed values, else 0 */
    public static long below(long a, long b) {
        return belowUnsigned(a ^ Long.MIN_VALUE, b ^ Long.MIN_VALUE);
    }

    /** @return 1 when {@code x != 0}, else 0 */
    public static long nonZero(long x) {
        return (x | -x) >>> 63;
    }
}
