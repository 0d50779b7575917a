package dev.limiter.engine.internal.table;

/*
 * Keys of (parent, member) pairs for cardinality limits, in their own KeyTable.
 *
 * 64-bit pairs: claim = fmix64(parent ^ SALT) (a bijection of the parent), publish = member ^ SALT2;
 * distinct pairs get distinct fingerprints except where a half is 0 and is remapped (parent SALT,
 * member SALT2): such a pair shares its slot with the pair that owns the remapped value. The
 * remapping is reported by remapped() and goes into the membership mark (CardinalityKernel), so
 * two pairs that share a slot never read each other's mark: a shared slot can only cost a second
 * count (fewer admissions), never admit a member that was not counted. Strings are first reduced to 64 bits each (a seeded multiply-rotate hash
 * finished by fmix64): two distinct members of one parent are then counted as one only if their
 * 64-bit hashes collide, about m^2 / 2^65 for m members of that parent (below 10^-9 for 100,000).
 * Allocation-free.
 */
/** Finds the slot of a (parent, member) pair in a cardinality limit's member table. */
public final class PairKeys {
    private static final long PARENT_SALT = 0x5041524E54303031L;   // "PARNT001"
    private static final long MEMBER_SALT = 0x4D454D4245523031L;   // "MEMBER01"

    private PairKeys() {
    }

    /** @return the member slot's state offset, claiming it if new, or {@link KeyTable#FULL} */
    public static int find(KeyTable members, long parent, long member) {
        long claim = Fingerprint.fmix64(parent ^ PARENT_SALT);
        long publish = member ^ MEMBER_SALT;
        if (claim == 0) {
            claim = PARENT_SALT;
        }
        if (publish == 0) {
            publish = MEMBER_SALT;
        }
        return members.find(claim, publish);   // member tables never rotate: the frozen sentinels cannot occur
    }

    /**
     * @return which halves of the pair's fingerprint were remapped: bit 1 the parent's, bit 0 the
     *     member's; 0 for all but two values of 2^64 on each side
     */
    public static int remapped(long parent, long member) {
        return (parent == PARENT_SALT ? 2 : 0) | (member == MEMBER_SALT ? 1 : 0);
    }

    /** @return as {@link #remapped(long, long)} for string keys */
    public static int remapped(CharSequence parent, CharSequence member, long seed) {
        return remapped(hash64(parent, seed), hash64(member, ~seed));
    }

    /** @return as {@link #find(KeyTable, long, long)} for string keys */
    public static int find(KeyTable members, CharSequence parent, CharSequence member, long seed) {
        return find(members, hash64(parent, seed), hash64(member, ~seed));
    }

    /** @return a seeded 64-bit hash of a string's UTF-16 code units */
    public static long hash64(CharSequence s, long seed) {
        long h = seed ^ (s.length() * 0xC6A4A7935BD1E995L);
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= 0x9E3779B97F4A7C15L;
            h = Long.rotateLeft(h, 27);
        }
        return Fingerprint.fmix64(h);
    }
}
