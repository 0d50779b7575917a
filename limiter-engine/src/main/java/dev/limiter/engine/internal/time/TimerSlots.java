package dev.limiter.engine.internal.time;

/*
 * The timing wheel's storage: timers in parallel arrays indexed by slot, linked into the wheel's
 * buckets by int indexes (next / prev, doubly linked, so unlinking is O(1)); free slots form a
 * singly linked list through next. Taking a slot allocates nothing unless every slot is taken,
 * when the arrays double. Each slot carries a generation that changes every time it is freed, so
 * that an id (generation << 32 | slot) names one timer only: a stale id is recognised and ignored.
 * Generations run 1 .. 2^31 - 1, never 0, so no id is 0 (TimingWheel.NULL_TIMER).
 *
 * Not thread-safe: the wheel's owner thread is the only one that touches it.
 */
/** Slot storage of {@link TimingWheel}: parallel arrays, a free list and generation-tagged ids. */
abstract class TimerSlots {
    static final int NIL = -1;
    static final int FREE = -1;

    long[] deadlines;
    long[] payloads;
    Object[] attachments;
    int[] next;
    int[] prev;
    int[] bucketOf;
    int[] generations;
    int freeHead = NIL;
    int pending;

    TimerSlots(int capacity) {
        deadlines = new long[capacity];
        payloads = new long[capacity];
        attachments = new Object[capacity];
        next = new int[capacity];
        prev = new int[capacity];
        bucketOf = new int[capacity];
        generations = new int[capacity];
        linkFree(0, capacity);
    }

    /** @return a free slot holding the timer's fields, not yet in any bucket; grows when none is free */
    final int take(long deadline, long payload, Object attachment) {
        if (freeHead == NIL) {
            grow();
        }
        int i = freeHead;
        freeHead = next[i];
        deadlines[i] = deadline;
        payloads[i] = payload;
        attachments[i] = attachment;
        pending++;
        return i;
    }

    /** @return the id of the timer in slot {@code i} */
    final long id(int i) {
        return ((long) generations[i] << 32) | i;
    }

    /** @return the slot of a pending timer's id, or {@link #NIL} when the id is stale or was never issued */
    final int live(long timerId) {
        int i = (int) timerId;
        return i >= 0 && i < bucketOf.length && bucketOf[i] != FREE && generations[i] == (int) (timerId >>> 32)
                ? i : NIL;
    }

    /** Frees slot {@code i} (already unlinked from its bucket) and retires its id. */
    final void release(int i) {
        bucketOf[i] = FREE;
        attachments[i] = null;
        generations[i] = (generations[i] % Integer.MAX_VALUE) + 1; // 1 .. 2^31 - 1, never 0
        next[i] = freeHead;
        freeHead = i;
        pending--;
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
