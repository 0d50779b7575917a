package dev.limiter.redis;

/*
 * Permits one instance reserved from Redis in one script (LeaseScript) and now grants locally.
 *
 * Time. A batch is valid over a span of Redis's time axis: the caller's time in CALLER mode, Redis
 * TIME in SERVER mode. The instance decides on its own clock, so every batch carries the bounds of
 * the mapping: Redis's time at local instant s lies in [s + lo, s + hi]. In CALLER mode both are 0
 * (the local time is the decision time). In SERVER mode lo = redisNow - receivedAt and
 * hi = redisNow - sentAt (the script read TIME between the send and the reply), assuming the local
 * monotonic clock and Redis's clock advance at one rate while a batch lives. Every validity check
 * takes the bound that is the conservative one for it, so an uncertain mapping only shrinks what a
 * batch may grant.
 *
 * Concurrency. A batch is shared by every thread of the instance that decides for its key; its
 * counter is one word changed by CAS (VarHandle, volatile semantics), so granting is lock-free and
 * never grants a permit twice. Nothing else in a batch changes after construction.
 */
/** A batch of permits leased from Redis, granted locally while valid; thread-safe, lock-free. */
abstract class PermitBatch {
    /** {@link #tryTake} when the permits were not granted. */
    static final long NOT_GRANTED = -1;

    /** Redis's time at local instant s is at least s + lo. */
    final long lo;
    /** Redis's time at local instant s is at most s + hi. */
    final long hi;

    PermitBatch(long lo, long hi) {
        this.lo = lo;
        this.hi = hi;
    }

    /**
     * Grants {@code permits} at local time {@code s} when the batch still holds them and is valid at s.
     *
     * @return the permits left in the batch after the grant, or {@link #NOT_GRANTED}
     */
    abstract long tryTake(long s, long permits);

    /** @return whether no permit of the batch can be granted at or after local time s any more */
    abstract boolean expired(long s);

    /** @return whether the batch was granted out completely (as opposed to expiring with permits left) */
    abstract boolean usedUp();

    /** @return whether a request of p permits at local time s is denied without asking Redis (a cached denial) */
    boolean denies(long s, long p) {
        return false;
    }

    /** @return nanoseconds from local time s until the batch's span ends (the reset a local decision reports) */
    abstract long spanLeft(long s);

    /** Saturating signed addition: the batch's checks never wrap around the clock's ends. */
    static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }
}
