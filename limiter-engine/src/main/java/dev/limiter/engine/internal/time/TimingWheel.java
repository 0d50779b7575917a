package dev.limiter.engine.internal.time;

/*
 * A hierarchical timing wheel over the whole signed long range of nanoseconds.
 *
 * Idea. Time is counted in ticks of 2^shift ns. A tick number is the unsigned reading of
 * (nanos ^ Long.MIN_VALUE) >>> shift, so signed time order is tick order and Long.MIN_VALUE is
 * tick 0: no deadline ever wraps. Level L holds 64 buckets of 64^L ticks each; enough levels
 * cover every tick number (64 - shift bits), so no overflow list is needed and a deadline far in
 * the future simply parks at a high level until the cursor reaches its bucket and cascades it
 * down.
 *
 *   tick number (64 - shift bits), 6 bits per level:
 *
 *     | ... | level 2 digit | level 1 digit | level 0 digit |
 *            bits 12..17     bits 6..11      bits 0..5
 *
 *   level 0  [0][1][2]...[63]   one tick per bucket, fires
 *   level 1  [0][1][2]...[63]   64 ticks per bucket, cascades into level 0
 *   level 2  [0][1][2]...[63]   64^2 ticks per bucket, cascades into levels 1 and 0
 *    ...
 *   end      one list: deadlines past the last whole tick; they fire only at Long.MAX_VALUE
 *   due      one list: deadlines whose tick was already processed; they fire on the next advance
 *
 * A timer's tick p = ceil(deadline / tick); cursor is the next tick not yet processed. If
 * p < cursor the timer is already due (due list); otherwise it goes to the level of the highest 6-bit digit in which p and cursor differ
 * (x = p ^ cursor; level = (63 - nlz(x)) / 6; level 0 when x = 0), bucket = that digit of p.
 *
 * Invariants (checked by the model test after every step, see TimingWheelPropertyTest):
 *   I1 every timer at level L agrees with the cursor on all digits above L;
 *   I2 at level 0 its digit is >= the cursor's; at level L >= 1 it is > the cursor's, or equal
 *      only while the cascade of that very bucket is in progress (cut short by the budget);
 *   I3 bit j of occupied[L] is set iff bucket j of level L is non-empty;
 *   I4 every tick below the cursor has been processed: no timer with p < cursor remains.
 * The invariants are checked from outside the class by the tests (TimingWheelInvariants).
 * Rounding deadlines up means a timer fires only once now >= deadline (never early), and by the
 * first advance whose now is a whole tick past its deadline (at most one tick late).
 *
 * Advancing. Occupancy bitmaps give, in O(levels), the next tick at which a bucket starts (the
 * lowest set bit at or above the cursor's digit on every level). The cursor jumps there,
 * cascades higher buckets whose range begins at the cursor (top level first, so re-placed timers
 * land in lower buckets that are cascaded next), then fires level 0's bucket and steps on. Each
 * moved or fired timer and each bucket visit costs one unit of the caller's budget; an advance
 * that runs out stops and the next call resumes exactly where it left, so a wheel far behind
 * never makes one caller pay for the whole backlog.
 *
 * Storage. Timers live in parallel arrays indexed by slot, linked into buckets by int indexes
 * (doubly linked, so cancel is O(1)); free slots form a singly linked list. Scheduling allocates
 * nothing unless every slot is taken, when the arrays double. A timer id is
 * (generation << 32 | slot); the generation changes each time a slot is freed, so cancelling a
 * fired or stale id is a harmless no-op. Ids are never NULL_TIMER (0).
 *
 * Threading. Not thread-safe: one owner thread (the Ticker's) calls every method. No memory
 * ordering is needed; cross-thread requests reach the owner through the Ticker's command queue.
 *
 * References: Varghese and Lauck, "Hashed and hierarchical timing wheels" (1987); the cascading
 * wheels of Kafka's purgatory and Caffeine's TimerWheel.
 */

/** A single-threaded hierarchical timing wheel with O(1) schedule and cancel and bounded advance. */
public final class TimingWheel {
    /** Never a valid timer id. */
    public static final long NULL_TIMER = 0L;

    static final int DIGIT_BITS = 6;
    static final int BUCKETS = 1 << DIGIT_BITS;
    static final int DIGIT_MASK = BUCKETS - 1;
    static final int NIL = -1;
    private static final int FREE = -1;


    final int shift;
    final long maxTick;
    final int levels;
    final int endBucket;
    final int dueBucket;
    final int[] heads;
    final long[] occupied;

    long[] deadlines;
    private long[] payloads;
    private Object[] attachments;
    int[] next;
    int[] prev;
    int[] bucketOf;
    private int[] generations;
    private int freeHead = NIL;
    int pending;

    long cursor;
    private long now;

    /**
     * @param tickNanos the tick, a power of two from 4 ns (so that tick numbers stay below 2^62) to 2^32 ns
     * @param startNanos the wheel's initial time
     * @param initialCapacity timers held before the storage grows (at least 1)
     */
    public TimingWheel(long tickNanos, long startNanos, int initialCapacity) {
        if (tickNanos < 4 || tickNanos > (1L << 32) || Long.bitCount(tickNanos) != 1) {
            throw new IllegalArgumentException("tick must be a power of two in [4, 2^32] ns: " + tickNanos);
        }
        if (initialCapacity < 1 || initialCapacity > (1 << 30)) {
            throw new IllegalArgumentException("initial capacity out of [1, 2^30]: " + initialCapacity);
        }
        this.shift = Long.numberOfTrailingZeros(tickNanos);
        this.maxTick = (1L << (64 - shift)) - 1;
        this.levels = (63 - shift) / DIGIT_BITS + 1;
        this.endBucket = levels * BUCKETS;
        this.dueBucket = endBucket + 1;
        this.heads = new int[dueBucket + 1];
        java.util.Arrays.fill(heads, NIL);
        this.occupied = new long[levels];
        this.now = startNanos;
        this.cursor = floorTick(startNanos);
        allocate(initialCapacity);
    }

    /**
     * Schedules a timer. O(1); allocates only when every slot is taken.
     *
     * @param deadlineNanos when it is due, anywhere in the long range; a deadline in a tick the
     *     wheel has already processed fires on the next advance, whatever time it is given
     * @return its id, never {@link #NULL_TIMER}
     */
    public long schedule(long deadlineNanos, long payload, Object attachment) {
        if (freeHead == NIL) {
            grow();
        }
        int i = freeHead;
        freeHead = next[i];
        deadlines[i] = deadlineNanos;
        payloads[i] = payload;
        attachments[i] = attachment;
        place(i);
        pending++;
        return ((long) generations[i] << 32) | i;
    }

    /**
     * Cancels a timer. O(1).
     *
     * @return true if it was pending; false if it already fired, was cancelled, or never existed
     */
    public boolean cancel(long timerId) {
        int i = (int) timerId;
        if (i < 0 || i >= bucketOf.length || bucketOf[i] == FREE || generations[i] != (int) (timerId >>> 32)) {
            return false;
        }
        unlink(i);
        release(i);
        return true;
    }

    /**
     * Moves the wheel's time to {@code nowNanos} (never backwards) and fires due timers in deadline
     * tick order, doing at most {@code budget} units of work (a unit is one fired or cascaded timer
     * or one bucket visit). When the budget runs out, {@link #behind()} says so and the next call
     * resumes; a timer never fires before its deadline.
     *
     * @return the number of timers fired
     */
    public int advance(long nowNanos, int budget, TimerExpiry expiry) {
        if (nowNanos > now) {
            now = nowNanos;
        }
        final long target = floorTick(now);
        int work = 0;
        int fired = 0;
        while (work < budget) {
            if (heads[dueBucket] != NIL) {
                fire(heads[dueBucket], expiry);
                fired++;
                work++;
                continue;
            }
            if (cursor > target) {
                if (now != Long.MAX_VALUE || heads[endBucket] == NIL) {
                    break;
                }
                fire(heads[endBucket], expiry);
                fired++;
                work++;
                continue;
            }
            long event = nextEvent();
            if (event > target) {
                cursor = target + 1;
                continue;
            }
            cursor = event;
            for (int level = levels - 1; level >= 1 && work < budget; level--) {
                int b = level * BUCKETS + digit(cursor, level);
                while (heads[b] != NIL && work < budget) {
                    int i = heads[b];
                    unlink(i);
                    place(i);
                    work++;
                }
            }
            int b0 = digit(cursor, 0);
            while (heads[b0] != NIL && work < budget) {
                fire(heads[b0], expiry);
                fired++;
                work++;
            }
            if (work >= budget) {
                break; // resume here: cascades and level 0 are both idempotent to revisit
            }
            cursor++;
            work++;
        }
        return fired;
    }

    /** @return true while some timer that is due at the wheel's time has not fired yet */
    public boolean behind() {
        if (heads[dueBucket] != NIL) {
            return true;
        }
        if (cursor <= floorTick(now) && nextEvent() <= floorTick(now)) {
            return true;
        }
        return now == Long.MAX_VALUE && heads[endBucket] != NIL;
    }

    /** @return timers scheduled and neither fired nor cancelled */
    public int pending() {
        return pending;
    }

    /** @return the latest time passed to {@link #advance} (or the start time) */
    public long now() {
        return now;
    }

    /** @return the tick in nanoseconds */
    public long tickNanos() {
        return 1L << shift;
    }

    /** @return timer slots currently allocated */
    public int capacity() {
        return bucketOf.length;
    }

    /** @return the deadline of a pending timer, or {@code orElse} if it is not pending */
    public long deadline(long timerId, long orElse) {
        int i = (int) timerId;
        boolean live = i >= 0 && i < bucketOf.length && bucketOf[i] != FREE
                && generations[i] == (int) (timerId >>> 32);
        return live ? deadlines[i] : orElse;
    }

    /** @return the slot index of an id, stable while the timer is pending (for owners' side arrays) */
    public static int slotOf(long timerId) {
        return (int) timerId;
    }

    // ---- index math ----

    private long floorTick(long nanos) {
        return (nanos ^ Long.MIN_VALUE) >>> shift;
    }

    long ceilTick(long nanos) {
        long u = nanos ^ Long.MIN_VALUE;
        return (u >>> shift) + ((u & ((1L << shift) - 1)) != 0 ? 1 : 0);
    }

    static int digit(long tick, int level) {
        return (int) (tick >>> (DIGIT_BITS * level)) & DIGIT_MASK;
    }

    /** @return tick with every bit below {@code bits} cleared (0 when bits >= 64) */
    static long clearBelow(long tick, int bits) {
        return bits >= 64 ? 0 : tick & (-1L << bits);
    }

    /** @return the earliest tick >= cursor at which a non-empty bucket must be visited, else MAX */
    private long nextEvent() {
        long best = Long.MAX_VALUE;
        for (int level = 0; level < levels; level++) {
            long bits = occupied[level] & (-1L << digit(cursor, level));
            if (bits != 0) {
                int j = Long.numberOfTrailingZeros(bits);
                long start = clearBelow(cursor, DIGIT_BITS * (level + 1)) | ((long) j << (DIGIT_BITS * level));
                best = Math.min(best, Math.max(start, cursor));
            }
        }
        return best;
    }

    // ---- buckets ----

    private void place(int i) {
        long p = ceilTick(deadlines[i]);
        int b;
        if (p < cursor) {
            b = dueBucket;
        } else if (p > maxTick) {
            b = endBucket;
        } else {
            long x = p ^ cursor;
            int level = x == 0 ? 0 : (63 - Long.numberOfLeadingZeros(x)) / DIGIT_BITS;
            int d = digit(p, level);
            b = level * BUCKETS + d;
            occupied[level] |= 1L << d;
        }
        int h = heads[b];
        next[i] = h;
        prev[i] = NIL;
        if (h != NIL) {
            prev[h] = i;
        }
        heads[b] = i;
        bucketOf[i] = b;
    }

    private void unlink(int i) {
        int b = bucketOf[i];
        int n = next[i];
        int p = prev[i];
        if (p == NIL) {
            heads[b] = n;
            if (n == NIL && b < endBucket) {
                occupied[b / BUCKETS] &= ~(1L << (b & DIGIT_MASK));
            }
        } else {
            next[p] = n;
        }
        if (n != NIL) {
            prev[n] = p;
        }
    }

    private void fire(int i, TimerExpiry expiry) {
        long id = ((long) generations[i] << 32) | i;
        long deadline = deadlines[i];
        long payload = payloads[i];
        Object attachment = attachments[i];
        unlink(i);
        release(i);
        expiry.expired(id, deadline, payload, attachment);
    }

    private void release(int i) {
        bucketOf[i] = FREE;
        attachments[i] = null;
        generations[i] = (generations[i] % Integer.MAX_VALUE) + 1; // 1 .. 2^31 - 1, never 0
        next[i] = freeHead;
        freeHead = i;
        pending--;
    }

    // ---- storage ----

    private void allocate(int capacity) {
        deadlines = new long[capacity];
        payloads = new long[capacity];
        attachments = new Object[capacity];
        next = new int[capacity];
        prev = new int[capacity];
        bucketOf = new int[capacity];
        generations = new int[capacity];
        linkFree(0, capacity);
    }

    private void grow() {
        int old = bucketOf.length;
        if (old >= (1 << 30)) {
            throw new IllegalStateException("timing wheel full: " + old + " timers");
        }
        int capacity = old * 2;
        deadlines = java.util.Arrays.copyOf(deadlines, capacity);
        payloads = java.util.Arrays.copyOf(payloads, capacity);
        attachments = java.util.Arrays.copyOf(attachments, capacity);
        next = java.util.Arrays.copyOf(next, capacity);
        prev = java.util.Arrays.copyOf(prev, capacity);
        bucketOf = java.util.Arrays.copyOf(bucketOf, capacity);
        generations = java.util.Arrays.copyOf(generations, capacity);
        linkFree(old, capacity);
    }

    private void linkFree(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            bucketOf[i] = FREE;
            generations[i] = 1;
            next[i] = freeHead;
            freeHead = i;
        }
    }
}
