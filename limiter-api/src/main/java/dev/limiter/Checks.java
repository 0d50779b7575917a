package dev.limiter;

import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.EngineAccess;

import java.util.Arrays;

/**
 * A reusable list of (limiter, key, permits) checks that one request must pass together; handed to
 * {@link LimiterEngine#tryAcquireAll(Checks, long, Decision)}. A check takes permits from a
 * {@link RateLimiter}, holds a lease's permits from a {@link ConcurrencyLimiter} (until
 * {@link LimiterEngine#releaseAll}), or admits a member under a {@link CardinalityLimiter}.
 *
 * <p>Not thread-safe: keep one per thread or per request and {@link #clear()} it between requests.
 * Adding checks allocates only while the internal arrays grow, so a reused instance allocates
 * nothing in steady state. String keys are held by reference until {@link #clear()}.
 */
public final class Checks {
    static {
        // engines keep a slot and a lease token per check, through dev.limiter.internal only
        EngineAccess.install(new CheckRecords() {
            @Override
            public long slot(Checks checks, int i) {
                return checks.engineSlots[checks.index(i)];
            }

            @Override
            public void slot(Checks checks, int i, long slot) {
                checks.engineSlots[checks.index(i)] = slot;
            }

            @Override
            public long token(Checks checks, int i) {
                return checks.tokens[checks.index(i)];
            }

            @Override
            public void token(Checks checks, int i, long token) {
                checks.tokens[checks.index(i)] = token;
            }
        });
    }

    private Limiter[] limiters;
    private long[] longKeys;
    private CharSequence[] stringKeys;
    private long[] permits;
    private long[] tokens;
    private long[] engineSlots;
    private long[] memberLongKeys;
    private CharSequence[] memberStringKeys;
    private boolean[] hasMember;
    private int size;

    /** An empty list with room for 4 checks. */
    public Checks() {
        this(4);
    }

    /** @param initialCapacity room for this many checks before growing */
    public Checks(int initialCapacity) {
        int n = Math.max(1, initialCapacity);
        limiters = new Limiter[n];
        longKeys = new long[n];
        stringKeys = new CharSequence[n];
        permits = new long[n];
        tokens = new long[n];
        engineSlots = new long[n];
        memberLongKeys = new long[n];
        memberStringKeys = new CharSequence[n];
        hasMember = new boolean[n];
    }

    /** Removes every check, dropping references to limiters and string keys. @return this */
    public Checks clear() {
        Arrays.fill(limiters, 0, size, null);
        Arrays.fill(stringKeys, 0, size, null);
        Arrays.fill(memberStringKeys, 0, size, null);
        size = 0;
        return this;
    }

    /**
     * Adds a check on a 64-bit key of a {@link RateLimiter} or a {@link ConcurrencyLimiter}.
     *
     * @throws IllegalArgumentException when {@code permits < 1}, or when {@code limiter} is a
     *     {@link CardinalityLimiter} (its checks are added with {@link #addMember}); the list is unchanged
     */
    public Checks add(Limiter limiter, long key, long permits) {
        int i = slot(takingPermits(limiter), permits);
        longKeys[i] = key;
        stringKeys[i] = null;
        return this;
    }

    /**
     * As {@link #add(Limiter, long, long)} for a string key.
     *
     * @throws IllegalArgumentException as {@link #add(Limiter, long, long)}; the list is unchanged
     */
    public Checks add(Limiter limiter, CharSequence key, long permits) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        int i = slot(takingPermits(limiter), permits);
        stringKeys[i] = key;
        longKeys[i] = 0;
        return this;
    }

    /**
     * Adds a cardinality check: {@code member} must be admitted under {@code parent} (one permit).
     */
    public Checks addMember(CardinalityLimiter limiter, long parent, long member) {
        int i = slot(limiter, 1);
        longKeys[i] = parent;
        stringKeys[i] = null;
        hasMember[i] = true;
        memberLongKeys[i] = member;
        return this;
    }

    /** As {@link #addMember(CardinalityLimiter, long, long)} with string keys. */
    public Checks addMember(CardinalityLimiter limiter, CharSequence parent, CharSequence member) {
        if (parent == null) {
            throw new NullPointerException("parent");
        }
        if (member == null) {
            throw new NullPointerException("member");
        }
        int i = slot(limiter, 1);
        stringKeys[i] = parent;
        longKeys[i] = 0;
        hasMember[i] = true;
        memberStringKeys[i] = member;
        return this;
    }

    /** @return whether check {@code i} admits a member under its key (a cardinality check) */
    public boolean hasMember(int i) {
        return hasMember[index(i)];
    }

    /** @return the 64-bit member of check {@code i} (0 when none or a string member) */
    public long memberLongKey(int i) {
        return memberLongKeys[index(i)];
    }

    /** @return the string member of check {@code i}, or null */
    public CharSequence memberStringKey(int i) {
        return memberStringKeys[index(i)];
    }

    /** @return the number of checks */
    public int size() {
        return size;
    }

    /** @return the limiter of check {@code i} */
    public Limiter limiter(int i) {
        return limiters[index(i)];
    }

    /** @return whether check {@code i} has a string key */
    public boolean hasStringKey(int i) {
        return stringKeys[index(i)] != null;
    }

    /** @return the string key of check {@code i}, or null when it has a 64-bit key */
    public CharSequence stringKey(int i) {
        return stringKeys[index(i)];
    }

    /** @return the 64-bit key of check {@code i} (0 when it has a string key) */
    public long longKey(int i) {
        return longKeys[index(i)];
    }

    /** @return the permits check {@code i} asks for */
    public long permits(int i) {
        return permits[index(i)];
    }

    private static Limiter takingPermits(Limiter limiter) {
        if (limiter instanceof CardinalityLimiter) {
            throw new IllegalArgumentException("limit '" + limiter.limit().name() + "' is "
                    + limiter.limit().algorithm() + ": it admits members, added with addMember(limiter, parent, member)");
        }
        return limiter;
    }

    private int slot(Limiter limiter, long p) {
        if (limiter == null) {
            throw new NullPointerException("limiter");
        }
        if (p < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + p);
        }
        if (size == limiters.length) {
            int n = size * 2;
            limiters = Arrays.copyOf(limiters, n);
            longKeys = Arrays.copyOf(longKeys, n);
            stringKeys = Arrays.copyOf(stringKeys, n);
            permits = Arrays.copyOf(permits, n);
            tokens = Arrays.copyOf(tokens, n);
            engineSlots = Arrays.copyOf(engineSlots, n);
            memberLongKeys = Arrays.copyOf(memberLongKeys, n);
            memberStringKeys = Arrays.copyOf(memberStringKeys, n);
            hasMember = Arrays.copyOf(hasMember, n);
        }
        int i = size++;
        limiters[i] = limiter;
        permits[i] = p;
        tokens[i] = 0;
        engineSlots[i] = 0;
        hasMember[i] = false;
        memberLongKeys[i] = 0;
        memberStringKeys[i] = null;
        return i;
    }

    private int index(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("check " + i + " of " + size);
        }
        return i;
    }
}
