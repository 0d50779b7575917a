package dev.limiter.policy;

import java.util.Arrays;

/*
 * The route automaton's transitions (see RouteAutomaton) flattened into a few int and char
 * arrays, so that one step over a segment reads three arrays and compares one literal, instead of
 * following a state object to its slot table, its literal table, the literal and the next state.
 * The canonical pass takes these steps as it finds each segment (CanonicalPath), so that a path
 * already canonical is matched in the same pass that scans it.
 *
 * Layout. States are numbered 0 (the start) to n - 1; literals 0 to m - 1, those of state s
 * being firstLiteral[s] to firstLiteral[s + 1] - 1.
 *
 *   slots[s * SLOTS + slot(length, first)]  the literal of state s with that slot, or NONE, or SEVERAL
 *   other[s]                                the state after a segment equal to none of s's literals
 *                                           (a sink is its own "other", and has no literals)
 *   chars[from[k], from[k] + length[k])     literal k, lower case
 *   fold[j]                                 0x20 where chars[j] is an ASCII letter, else 0: a path char
 *                                           x equals chars[j] ignoring ASCII case iff (x | fold[j]) == chars[j]
 *   target[k]                               the state after a segment equal to literal k, ignoring ASCII case
 *   packed[k * 6 .. k * 6 + 5]              literal k of at most PACKED chars as two words of four 16-bit chars
 *                                           (chars 0-3, then 4-7, the first in the low bits): the literal,
 *                                           its fold bits, and a mask of its chars (0 beyond its length)
 *
 * A segment equal to a literal ignoring case shares its slot (slot() folds bit 0x20 of the first
 * char), so a slot holding NONE proves the segment matches no literal, one holding a literal
 * needs one comparison, and SEVERAL scans the state's literals. Immutable after construction, so
 * one table serves every thread.
 */
/** The steps of a {@link RouteAutomaton} as flat arrays: the state after each segment; immutable. */
final class Transitions {
    /** Slots per state: a power of two. */
    static final int SLOTS = 64;
    private static final int SHIFT = Integer.numberOfTrailingZeros(SLOTS);
    static final int NONE = -1;
    static final int SEVERAL = -2;
    /** The longest literal compared as two packed words. */
    static final int PACKED = 8;

    private final int[] slots;
    private final int[] other;
    private final int[] firstLiteral;
    private final char[] chars;
    private final char[] fold;
    private final int[] from;
    private final int[] length;
    private final int[] target;
    private final long[] packed;

    /**
     * @param literals per state, its literals (lower case, sorted, distinct)
     * @param onLiteral per state, the state after each of its literals
     * @param otherState per state, the state after any other segment
     */
    Transitions(char[][][] literals, int[][] onLiteral, int[] otherState) {
        int states = literals.length;
        int count = 0;
        int total = 0;
        for (char[][] ls : literals) {
            count += ls.length;
            for (char[] l : ls) {
                total += l.length;
            }
        }
        this.slots = new int[states * SLOTS];
        this.other = otherState.clone();
        this.firstLiteral = new int[states + 1];
        this.chars = new char[total];
        this.from = new int[count];
        this.length = new int[count];
        this.target = new int[count];
        this.packed = new long[count * 6];
        Arrays.fill(slots, NONE);
        int k = 0;
        int at = 0;
        for (int s = 0; s < states; s++) {
            firstLiteral[s] = k;
            for (int i = 0; i < literals[s].length; i++, k++) {
                char[] l = literals[s][i];
                System.arraycopy(l, 0, chars, at, l.length);
                from[k] = at;
                length[k] = l.length;
                target[k] = onLiteral[s][i];
                at += l.length;
                if (l.length > 0) { // an empty segment is always scanned for
                    int slot = (s << SHIFT) | slot(l.length, l[0]);
                    slots[slot] = slots[slot] == NONE ? k : SEVERAL;
                }
            }
        }
        firstLiteral[states] = k;
        this.fold = new char[total];
        for (int j = 0; j < total; j++) {
            fold[j] = chars[j] >= 'a' && chars[j] <= 'z' ? (char) 0x20 : 0;
        }
        for (int l = 0; l < count; l++) {
            for (int j = 0; j < Math.min(length[l], PACKED); j++) {
                int word = l * 6 + (j >= 4 ? 1 : 0);
                int shift = 16 * (j & 3);
                packed[word] |= (long) chars[from[l] + j] << shift;
                packed[word + 2] |= (long) fold[from[l] + j] << shift;
                packed[word + 4] |= 0xFFFFL << shift;
            }
        }
    }

    /**
     * A slot that a segment and a literal it equals (ignoring ASCII case) share: an upper-case
     * ASCII letter and its lower-case literal char differ in bit 0x20 alone.
     */
    static int slot(int length, char first) {
        return (length * 5 + (first | 0x20)) & (SLOTS - 1);
    }

    /**
     * @param bound the chars of {@code path} that may be read: at least {@code end}; reading is
     *     quickest when it is at least {@code start + PACKED}
     * @return the state after segment {@code path[start, end)} from state {@code s}; allocation-free
     */
    int step(int s, char[] path, int start, int end, int bound) {
        int n = end - start;
        int k = n == 0 ? SEVERAL : slots[(s << SHIFT) | slot(n, path[start])];
        if (k >= 0) {
            if (length[k] != n) {
                return other[s];
            }
            boolean equal = n <= PACKED && start + PACKED <= bound
                    ? packedEqual(path, start, k * 6) : equalsIgnoringCase(path, start, from[k], n);
            return equal ? target[k] : other[s];
        }
        return k == NONE ? other[s] : scan(s, path, start, n);
    }

    /**
     * @return whether the segment at {@code path[start]}, of literal {@code packed[p / 6]}'s length
     *     (at most PACKED), equals it ignoring ASCII case; reads {@code path[start, start + PACKED)}
     */
    private boolean packedEqual(char[] path, int start, int p) {
        long w0 = path[start] | (long) path[start + 1] << 16 | (long) path[start + 2] << 32
                | (long) path[start + 3] << 48;
        long w1 = path[start + 4] | (long) path[start + 5] << 16 | (long) path[start + 6] << 32
                | (long) path[start + 7] << 48;
        long[] q = packed;
        return ((((w0 | q[p + 2]) ^ q[p]) & q[p + 4]) | (((w1 | q[p + 3]) ^ q[p + 1]) & q[p + 5])) == 0;
    }

    private int scan(int s, char[] path, int start, int n) {
        for (int k = firstLiteral[s]; k < firstLiteral[s + 1]; k++) {
            if (length[k] == n && equalsIgnoringCase(path, start, from[k], n)) {
                return target[k];
            }
        }
        return other[s];
    }

    /**
     * @return whether {@code path[start, start + n)} equals the lower-case {@code chars[at, at + n)},
     *     ignoring ASCII case: one OR and one compare per char (see {@code fold} in the class comment)
     */
    private boolean equalsIgnoringCase(char[] path, int start, int at, int n) {
        char[] l = chars;
        char[] f = fold;
        for (int i = 0; i < n; i++) {
            if ((path[start + i] | f[at + i]) != l[at + i]) {
                return false;
            }
        }
        return true;
    }
}
