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
 *   due      one list: deadlines whose tick was already processed; they fire on the next advance
 *
 * A timer's tick p = floor(deadline / tick), the tick its deadline falls in; cursor is the tick
 * being processed (every tick below it is done). If p < cursor the timer is already due (due
 * list); otherwise it goes to the level of the highest 6-bit digit in which p and cursor differ
 * (x = p ^ cursor; level = (63 - nlz(x)) / 6; level 0 when x = 0), bucket = that digit of p.
 *
 * Exact firing. The cursor never passes the tick that holds now: that tick's level-0 bucket is
 * the current bucket, and a timer in it fires once now >= its own deadline, not at the next tick
 * boundary. `soonest` bounds the current bucket's deadlines from below (Long.MIN_VALUE: unknown,
 * after the cursor moved or a scan was cut short), so an advance scans the bucket only when
 * something in it may be due. A timer therefore fires at the first caught-up advance whose now
 * is >= its deadline: never early, and not late by any fraction of a tick (the model test checks
 * both); the wheel's owner decides how soon after the deadline that advance comes
 * (nextDeadlineBound() tells it when to wake).
 * Cost: a scan visits the whole current bucket, and it happens only when soonest <= now, so
 * every scan fires at least one timer; k timers with distinct deadlines in one tick, each met by
 * an advance of its own, cost at most k^2 / 2 visits in that tick (the budget still bounds each
 * advance).
 *
 * Invariants (checked by the model test after every step, see TimingWheelPropertyTest):
 *   I1 every timer at level L agrees with the cursor on all digits above L;
 *   I2 at level 0 its digit is >= the cursor's; at level L >= 1 it is > the cursor's, or equal
 *      only while the cascade of that very bucket is in progress (cut short by the budget);
 *   I3 bit j of occupied[L] is set iff bucket j of level L is non-empty;
 *   I4 every tick below the cursor has been processed: no timer with p < cursor remains;
 *   I5 every timer in the current bucket has a deadline >= soonest; cursor <= floor(now / tick);
 *   I6 if `cascaded`, no bucket above level 0 at the cursor's digits holds a timer.
 * The invariants are checked from outside the class by the tests (TimingWheelInvariants).
 *
 * Advancing. Occupancy bitmaps give, in O(levels), the next tick at which a bucket starts (the
 * lowest set bit at or above the cursor's digit on every level). The cursor jumps there,
 * cascades higher buckets whose range begins at the cursor (top level first, so re-placed timers
 * land in lower buckets that are cascaded next), then fires level 0's bucket and steps on, up to
 * the current bucket, where it fires only what is due. `cascaded` records that the cursor's cascade
 * is complete (place() never files a timer at the cursor's digit above level 0, I2, so it stays
 * true until the cursor moves): an advance that stays in the current tick then goes straight to
 * its bucket, without the search for the next event or the cascade. Each moved, fired or scanned
 * timer and each bucket visit costs one unit of the caller's budget; an advance that runs out
 * stops and the next call resumes exactly where it left, so a wheel far behind never makes one
 * caller pay for the whole backlog.
 *
 * Storage (TimerSlots): timers live in parallel arrays indexed by slot, doubly linked into
 * buckets by int indexes, so cancel is O(1). A timer id is (generation << 32 | slot), so
 * cancelling a fired or stale id is a harmless no-op. Ids are never NULL_TIMER (0).
 *
 * Threading. Not thread-safe: one owner thread (the Ticker's) calls every method. No memory
 * ordering is needed; cross-thread requests reach the owner through the Ticker's command queues.
 * An expiry called by advance may schedule on the same wheel, but must not cancel.
 *
 * References: Varghese and Lauck, "Hashed and hierarchical timing wheels" (1987); the cascading
 * wheels of Kafka's purgatory and Caffeine's TimerWheel.
 */

/** A single-threaded hierarchical timing wheel with O(1) schedule and cancel and bounded advance. */
public final class TimingWheel extends TimerSlots {
    /** Never a valid timer id. */
    public static final long NULL_TIMER = 0L;

    static final int DIGIT_BITS = 6;
    static final int BUCKETS = 1 << DIGIT_BITS;
    static final int DIGIT_MASK = BUCKETS - 1;

    final int shift;
    final int levels;
    final int dueBucket;
    final int[] heads;
    final long[] occupied;

    long cursor;
    long soonest = Long.MIN_VALUE;
    boolean cascaded;
    private long now;

    /**
     * @param tickNanos the tick, a power of two from 4 ns (so that tick numbers stay below 2^62) to 2^32 ns
     * @param startNanos the wheel's initial time
     * @param initialCapacity timers held before the storage grows (at least 1)
     */
    public TimingWheel(long tickNanos, long startNanos, int initialCapacity) {
        super(checked(tickNanos, initialCapacity));
        this.shift = Long.numberOfTrailingZeros(tickNanos);
        this.levels = (63 - shift) / DIGIT_BITS + 1;
        this.dueBucket = levels * BUCKETS;
        this.heads = new int[dueBucket + 1];
        java.util.Arrays.fill(heads, NIL);
        this.occupied = new long[levels];
        this.now = startNanos;
        this.cursor = floorTick(startNanos);
    }

    private static int checked(long tickNanos, int initialCapacity) {
        if (tickNanos < 4 || tickNanos > (1L << 32) || Long.bitCount(tickNanos) != 1) {
            throw new IllegalArgumentException("tick must be a power of two in [4, 2^32] ns: " + tickNanos);
        }
        if (initialCapacity < 1 || initialCapacity > (1 << 30)) {
            throw new IllegalArgumentException("initial capacity out of [1, 2^30]: " + initialCapacity);
        }
        return initialCapacity;
    }

    /**
     * Schedules a timer. O(1); allocates only when every slot is taken.
     *
     * @param deadlineNanos when it is due, anywhere in the long range; a deadline in a tick the
     *     wheel has already processed fires on the next advance, whatever time it is given
     * @return its id, never {@link #NULL_TIMER}
     */
    public long schedule(long deadlineNanos, long payload, Object attachment) {
        int i = take(deadlineNanos, payload, attachment);
        place(i);
        return id(i);
    }

    /**
     * Cancels a timer. O(1).
     *
     * @return true if it was pending; false if it already fired, was cancelled, or never existed
     */
    public boolean cancel(long timerId) {
        int i = live(timerId);
        if (i == NIL) {
            return false;
        }
        unlink(i);
        release(i);
        return true;
    }

    /**
     * Moves the wheel's time to {@code nowNanos} (never backwards) and fires every timer whose
     * deadline is at or before it, in deadline tick order, doing at most {@code budget} units of
     * work (a unit is one fired, cascaded or scanned timer or one bucket visit). When the budget
     * runs out, {@link #behind()} says so and the next call resumes; a timer never fires before
     * its deadline.
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
            if (cursor != target || !cascaded) {     // else: in the current tick, its cascade done
                long event = nextEvent();
                if (event > target) {
                    moveCursor(target);              // nothing to visit up to now
                    break;
                }
                moveCursor(event);
                for (int level = levels - 1; level >= 1 && work < budget; level--) {
                    int b = level * BUCKETS + digit(cursor, level);
                    while (heads[b] != NIL && work < budget) {
                        int i = heads[b];
                        unlink(i);
                        place(i);
                        work++;
                    }
                }
                if (work >= budget) {
                    break;                           // cut short: the cascade resumes next time
                }
                cascaded = true;
            }
            if (cursor == target && now < soonest) {
                break;                               // nothing in the current bucket is due yet
            }
            soonest = Long.MAX_VALUE;                // the scan and place() fold the survivors' deadlines in
            for (int i = heads[digit(cursor, 0)]; i != NIL; work++) {
                if (work >= budget) {
                    soonest = Long.MIN_VALUE;        // not all scanned: unknown; resume here
                    return fired;
                }
                int n = next[i];
                if (deadlines[i] <= now) {
                    fire(i, expiry);
                    fired++;
                } else {
                    soonest = Math.min(soonest, deadlines[i]);
                }
                i = n;
            }
            if (cursor == target) {
                break;                               // the current tick: what is left is not due yet
            }
            moveCursor(cursor + 1);
            work++;
        }
        return fired;
    }

    private void moveCursor(long tick) {
        if (tick != cursor) {
            cursor = tick;
            soonest = Long.MIN_VALUE;
            cascaded = false;
        }
    }

    /** @return true while some timer that is due at the wheel's time may not have fired yet */
    public boolean behind() {
        if (heads[dueBucket] != NIL) {
            return true;
        }
        long target = floorTick(now);
        long event = nextEvent();
        if (event != target) {
            return event < target;
        }
        return cursor != target || cascadePending()
                || heads[digit(cursor, 0)] != NIL && soonest <= now;
    }

    /**
     * @return a time at or before the earliest pending deadline, {@link Long#MAX_VALUE} when no
     *     timer is pending; at or before the wheel's time when an advance has work now. O(levels).
     */
    public long nextDeadlineBound() {
        if (heads[dueBucket] != NIL) {
            return Long.MIN_VALUE;
        }
        long event = nextEvent();
        if (event == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (event == cursor && !cascadePending()) {
            return soonest;                          // only the current bucket: its bound
        }
        return (event << shift) ^ Long.MIN_VALUE;    // the start of the first tick with a bucket to visit
    }

    /** @return true if a higher level's bucket at the cursor's digit still waits to be cascaded */
    private boolean cascadePending() {
        for (int level = 1; level < levels; level++) {
            if ((occupied[level] & (1L << digit(cursor, level))) != 0) {
                return true;
            }
        }
        return false;
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
        int i = live(timerId);
        return i != NIL ? deadlines[i] : orElse;
    }

    /** @return the slot index of an id, stable while the timer is pending (for owners' side arrays) */
    public static int slotOf(long timerId) {
        return (int) timerId;
    }

    // ---- index math ----

    long floorTick(long nanos) {
        return (nanos ^ Long.MIN_VALUE) >>> shift;
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
        long p = floorTick(deadlines[i]);
        int b;
        if (p < cursor) {
            b = dueBucket;
        } else {
            long x = p ^ cursor;
            int level = x == 0 ? 0 : (63 - Long.numberOfLeadingZeros(x)) / DIGIT_BITS;
            int d = digit(p, level);
            b = level * BUCKETS + d;
            occupied[level] |= 1L << d;
            if (x == 0) {
                soonest = Math.min(soonest, deadlines[i]); // the current bucket
            }
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
            if (n == NIL && b < dueBucket) {
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
        long id = id(i);
        long deadline = deadlines[i];
        long payload = payloads[i];
        Object attachment = attachments[i];
        unlink(i);
        release(i);
        expiry.expired(id, deadline, payload, attachment);
    }
}
