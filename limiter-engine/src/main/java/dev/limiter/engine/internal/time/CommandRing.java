package dev.limiter.engine.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/*
 * The ticker's command protocol: a bounded ring of request slots that any thread fills and the
 * ticker's thread drains in order. No command objects, no pool, no ticket counter: a request's
 * sequence number is its ticket, and a cancel that comes before the ticker has drained its
 * schedule is one CAS on the schedule's own slot.
 *
 * Layout. Capacity C (a power of two). Slot i is four longs of `words` from 4i, plus targets[i]:
 *
 *     words: | state | deadline | payload | (pad) |     targets: | TimerTarget |
 *
 * State word. For the request with sequence number s (slot s & (C - 1)), state = 4s + phase:
 *     4s      FREE       the slot waits for the producer that claims s
 *     4s + 1  SCHEDULE   published: deadline, payload and target hold a timer
 *     4s + 2  WITHDRAWN  a SCHEDULE cancelled before the ticker drained it
 *     4s + 3  CANCEL     published: payload holds the ticket of a timer the ticker already holds
 * The ticker, done with s, stores 4(s + C): free for the producer one lap later. The state holds
 * the whole sequence number, so a stale ticket or a producer from an earlier lap never matches
 * (no ABA), and a slot whose state is below 4s is still in use: the ring is full.
 *
 * Producer (schedule; cancel's fallback). s = producerSeq (volatile load); if the slot's state
 * (getAcquire) is 4s, CAS producerSeq s -> s + 1 claims s; below 4s the ring is full and the
 * request is refused (back-pressure, never blocking); above, another producer took s: reload.
 * Plain stores fill the fields, then setRelease(state, 4s + phase) publishes them. The ticket
 * of a schedule is s + 1, never 0 (Ticker.NULL_TICKET).
 *
 * Cancel(ticket), s = ticket - 1: CAS state 4s + 1 -> 4s + 2. Success: the ticker will find the
 * schedule withdrawn and never put it in the wheel. Failure: the ticker has drained the schedule
 * (its CAS moved the state past 4s + 1; or the ticket is stale), so the timer is in the wheel or
 * fired; the cancel is published as a CANCEL request, whose later sequence number has the ticker
 * apply it after the schedule. So a cancel always follows its schedule, and is lost only if a full
 * ring refuses the CANCEL request (cancel() then returns false and the caller may retry).
 *
 * Ticker (drain), at consumer sequence c, reads the state (getAcquire): 4c: not published yet,
 * stop (the rest waits for the next cycle); 4c + 1: read the fields, clear the target, then CAS
 * 4c + 1 -> 4(c + C): success hands the timer to the sink, failure means a cancel withdrew it in
 * between; 4c + 2: withdrawn; 4c + 3: hand the cancel to the sink. A slot is freed by the CAS or
 * by setRelease(4(c + C)) after the ticker is done with its fields, so the producer that sees it
 * free (getAcquire) cannot overwrite fields the ticker still reads.
 *
 * Memory ordering in short: producerSeq is advanced by CAS and read with volatile loads; every
 * state word is written with setRelease or compareAndSet and read with getAcquire, and it
 * publishes its slot's plain fields in both directions. consumerSeq has one writer (the ticker,
 * setRelease) and is read by others (getAcquire) only for the approximate size.
 */
/** A bounded multi-producer ring of timer requests drained by the ticker; see the comment above. */
final class CommandRing {
    /** Receives the drained requests, on the ticker's thread. */
    interface Sink {
        /** A timer to put in the wheel under {@code ticket}. */
        void schedule(long ticket, long deadlineNanos, long payload, Ticker.TimerTarget target);

        /** A timer the wheel holds (or held) under {@code ticket} is to be cancelled. */
        void cancel(long ticket);
    }

    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CONSUMER;

    static {
        try {
            CONSUMER = MethodHandles.lookup().findVarHandle(CommandRing.class, "consumerSeq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final int SCHEDULE = 1;
    private static final int WITHDRAWN = 2;
    private static final int CANCEL = 3;
    private static final int FULL = -1;

    private final int capacity;
    private final int mask;
    private final long[] words;
    private final Ticker.TimerTarget[] targets;
    private final AtomicLong producerSeq = new AtomicLong();
    private long consumerSeq;                          // written through CONSUMER (setRelease), read plain by the ticker

    /** @param minCapacity rounded up to a power of two, at least 2 */
    CommandRing(int minCapacity) {
        this.capacity = Math.max(2, Integer.highestOneBit(Math.max(1, minCapacity - 1)) << 1);
        this.mask = capacity - 1;
        this.words = new long[capacity * 4];
        this.targets = new Ticker.TimerTarget[capacity];
        for (int i = 0; i < capacity; i++) {
            words[i * 4] = (long) i << 2;       // free for sequence i; published by the ring's safe construction
        }
    }

    /** @return the ticket of the queued schedule, or {@link Ticker#NULL_TICKET} if the ring is full */
    long schedule(long deadlineNanos, Ticker.TimerTarget target, long payload) {
        long s = claim();
        if (s == FULL) {
            return Ticker.NULL_TICKET;
        }
        int w = slot(s);
        words[w + 1] = deadlineNanos;
        words[w + 2] = payload;
        targets[w >> 2] = target;
        STATE.setRelease(words, w, (s << 2) + SCHEDULE);
        return s + 1;
    }

    /** @return true if the schedule was withdrawn or the cancel queued; false if the ring is full */
    boolean cancel(long ticket) {
        long s = ticket - 1;
        if (STATE.compareAndSet(words, slot(s), (s << 2) + SCHEDULE, (s << 2) + WITHDRAWN)) {
            return true;                               // not drained yet: the ticker will skip it
        }
        long c = claim();
        if (c == FULL) {
            return false;
        }
        int w = slot(c);
        words[w + 2] = ticket;
        STATE.setRelease(words, w, (c << 2) + CANCEL);
        return true;
    }

    /** @return a claimed sequence number, or {@link #FULL} */
    private long claim() {
        while (true) {
            long s = producerSeq.get();
            long state = (long) STATE.getAcquire(words, slot(s));
            if (state == s << 2) {
                if (producerSeq.compareAndSet(s, s + 1)) {
                    return s;
                }
            } else if (state < s << 2) {
                return FULL;                           // the slot's previous lap is not drained yet
            }
            // else another producer claimed s: reload
        }
    }

    /**
     * Drains up to {@code max} published requests in sequence order into {@code sink}; ticker's
     * thread only.
     *
     * @return requests drained (withdrawn schedules included)
     */
    int drain(Sink sink, int max) {
        long c = consumerSeq;
        int n = 0;
        while (n < max) {
            int w = slot(c);
            long base = c << 2;
            long free = (c + capacity) << 2;
            long state = (long) STATE.getAcquire(words, w);
            if (state == base + SCHEDULE) {
                long deadline = words[w + 1];
                long payload = words[w + 2];
                Ticker.TimerTarget target = targets[w >> 2];
                targets[w >> 2] = null;
                if (STATE.compareAndSet(words, w, state, free)) {
                    c++;
                    n++;
                    CONSUMER.setRelease(this, c);      // before the sink runs, so that a throwing sink loses nothing else
                    sink.schedule(c, deadline, payload, target);
                    continue;
                }
                // a cancel withdrew it between the load and the CAS: the state is base + WITHDRAWN
            } else if (state == base + CANCEL) {
                long ticket = words[w + 2];
                STATE.setRelease(words, w, free);
                c++;
                n++;
                CONSUMER.setRelease(this, c);
                sink.cancel(ticket);
                continue;
            } else if (state != base + WITHDRAWN) {
                break;                                 // not published yet
            }
            targets[w >> 2] = null;
            STATE.setRelease(words, w, free);
            c++;
            n++;
        }
        CONSUMER.setRelease(this, c);
        return n;
    }

    /**
     * @return true if some request is claimed and not drained; ticker's thread only. The producer
     *     sequence is a volatile load, which DeadlineParking's handshake relies on.
     */
    boolean hasInput() {
        return producerSeq.get() != consumerSeq;
    }

    /** @return requests claimed and not yet drained; any thread, approximate while producers run */
    int size() {
        long consumed = (long) CONSUMER.getAcquire(this);
        return (int) Math.max(0, Math.min(capacity, producerSeq.get() - consumed));
    }

    private int slot(long s) {
        return ((int) s & mask) << 2;
    }
}
