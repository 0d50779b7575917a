package dev.limiter.engine.internal.time;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/*
 * How schedule and cancel requests travel from any thread to the ticker: JCTools queues of
 * preallocated TimerRecords (see TimerRecord for a record's states).
 *
 *   free      SpmcArrayQueue<TimerRecord>   ticker -> producers: records ready to be scheduled
 *   scheduled MpscArrayQueue<TimerRecord>   producers -> ticker: QUEUED (or WITHDRAWN) records
 *   spareCancels / cancels                  the same pair for CancelRequests (cancels of FILED timers)
 *
 * schedule(): poll a record from `free` (one CAS), fill it, offer it to `scheduled` (one CAS); the
 * ticket is the record's index and generation, so there is no shared ticket counter and the
 * ticker keeps no ticket map: the record holds its wheel id. cancel(): a record not yet drained is
 * withdrawn in place by one CAS (QUEUED -> WITHDRAWN) and the ticker frees it when it drains it;
 * a FILED record (in the wheel) is cancelled by a CAS FILED -> CANCELLED made while holding a
 * CancelRequest polled from `spareCancels`, then offered to `cancels`, so the ticker removes it
 * from the wheel and frees it on its next drain: a cancelled timer holds its record until the
 * next duty cycle, whatever its deadline. Per-producer order needs nothing more: a cancel acts on
 * the state its own schedule published, and a cancel request exists only for a timer already
 * drained.
 *
 * Bounds, without allocating on the producer side. Let Q be the queues' capacity. The ticker puts
 * a record in `free` only while `outstanding` (records in `free` plus records taken and not yet
 * drained) is below Q, so `scheduled` always has room for every record a producer holds: its
 * offer cannot fail. An empty `free` is the back-pressure: schedule() refuses (NULL_TICKET). There
 * are Q CancelRequests and `cancels` holds Q, so a cancel either gets a request (and its offer
 * cannot fail) or is refused with nothing changed (false; the timer still fires). Records beyond
 * the first Q are made by the ticker when timers in the wheel hold the others (its own thread,
 * like the wheel's growth). A freed record goes straight back to `free` while fewer than Q are
 * out, else to the ticker's spare stack, from which the top-up at the end of a drain refills. The
 * ticker never waits on a producer: it offers to `free` with relaxedOffer, which fails instead of
 * spinning while a producer that has claimed a slot has not cleared it yet (the record stays spare).
 *
 * Memory ordering. Queue offers are release stores and polls acquire loads, so a record's or a
 * request's plain fields cross with them (see TimerRecord for the state word). The registry of
 * records by index is a volatile array reference the ticker replaces when it grows; a record is
 * stored in it before the record first enters `free`, so a producer that holds a ticket issued by
 * schedule() finds the record. Producers' offers advance the queues' producer indexes by CAS, the
 * sequentially consistent store DeadlineParking's handshake reads through publishedSchedules().
 */
/** The ticker's command transport: pooled timer records and cancel requests moved through JCTools queues. */
final class TimerCommands {
    /** A request to take a FILED timer out of the wheel; {@code record} is null when the cancel lost to the fire. */
    static final class CancelRequest {
        TimerRecord record;
    }

    private static final int MAX_RECORDS = 1 << 30;

    private final int capacity;
    private final SpmcArrayQueue<TimerRecord> free;
    private final MpscArrayQueue<TimerRecord> scheduled;
    private final SpmcArrayQueue<CancelRequest> spareCancels;
    private final MpscArrayQueue<CancelRequest> cancels;
    private final AtomicLong refused = new AtomicLong();
    private volatile TimerRecord[] records;
    // the ticker's alone
    private final MessagePassingQueue.Consumer<TimerRecord> file = this::file;
    private final MessagePassingQueue.Consumer<CancelRequest> unfile = this::unfile;
    private final Stock stock = new Stock();

    /**
     * The ticker's bookkeeping, written on every drained request, kept in its own object so that
     * its stores do not invalidate the line of the fields producers read (the queues, records).
     */
    private static final class Stock {
        TimingWheel wheel;
        TimerRecord[] spare;
        int spares;
        int made;
        int outstanding;
    }

    /** @param minCapacity requests queued at once (rounded up to a power of two), at least 2 */
    TimerCommands(int minCapacity) {
        this.scheduled = new MpscArrayQueue<>(minCapacity);
        this.capacity = scheduled.capacity();
        this.free = new SpmcArrayQueue<>(capacity);
        this.cancels = new MpscArrayQueue<>(capacity);
        this.spareCancels = new SpmcArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++) {
            spareCancels.offer(new CancelRequest());
        }
        this.records = new TimerRecord[capacity];
        stock.spare = new TimerRecord[capacity];
        topUp();
    }

    // ---- producers: any thread ----

    /** @return the ticket, or {@link Ticker#NULL_TICKET} when no record is free (the ticker is behind) */
    long schedule(long deadlineNanos, Ticker.TimerTarget target, long payload) {
        TimerRecord r = free.poll();
        if (r == null) {
            refused.incrementAndGet();
            return Ticker.NULL_TICKET;
        }
        long queued = TimerRecord.nextQueued(r.stateAcquire()); // its generation is over: this producer owns it
        r.deadline = deadlineNanos;
        r.payload = payload;
        r.target = target;
        r.stateRelease(queued);
        if (!scheduled.offer(r)) {
            throw new IllegalStateException("timer queue overflow: more records out than it holds");
        }
        return r.ticket(queued);
    }

    /** @return true if the timer will not fire; false if it fired, was cancelled, is unknown, or a full queue refused */
    boolean cancel(long ticket) {
        TimerRecord[] rs = records;
        int i = (int) ticket;
        TimerRecord r = i >= 0 && i < rs.length ? rs[i] : null;
        if (r == null) {
            return false;
        }
        long queued = TimerRecord.stateOf(ticket, TimerRecord.QUEUED);
        if (r.casState(queued, TimerRecord.stateOf(ticket, TimerRecord.WITHDRAWN))) {
            return true;                                      // not drained yet: the ticker frees it unfiled
        }
        long filed = TimerRecord.stateOf(ticket, TimerRecord.FILED);
        if (r.stateAcquire() != filed) {
            return false;                                     // fired, cancelled, or a stale ticket
        }
        CancelRequest c = spareCancels.poll();
        if (c == null) {
            refused.incrementAndGet();
            return false;
        }
        long cancelled = TimerRecord.stateOf(ticket, TimerRecord.CANCELLED);
        boolean won = r.casState(filed, cancelled);
        c.record = won ? r : null;                            // lost to the fire: the request only returns
        if (!cancels.offer(c)) {
            throw new IllegalStateException("cancel queue overflow: more requests out than it holds");
        }
        return won;
    }

    // ---- the ticker's thread ----

    /** Files drained schedules in {@code into} and applies cancels, at most {@code budget} of each. */
    int drain(TimingWheel into, int budget) {
        stock.wheel = into;
        int work = scheduled.drain(file, budget);
        work += cancels.drain(unfile, budget);
        topUp();
        return work;
    }

    private void file(TimerRecord r) {
        stock.outstanding--;
        long s = r.stateAcquire();
        if (TimerRecord.phase(s) == TimerRecord.QUEUED
                && r.casState(s, s - TimerRecord.QUEUED + TimerRecord.FILED)) {
            r.wheelId = stock.wheel.schedule(r.deadline, 0, r);
        } else {
            recycle(r);                                       // WITHDRAWN: never filed, and only read here
        }
    }

    private void unfile(CancelRequest c) {
        TimerRecord r = c.record;
        if (r != null) {
            stock.wheel.cancel(r.wheelId);                    // false when the wheel reached it first (see fired)
            r.target = null;
            recycle(r);
        }
        c.record = null;
        spareCancels.offer(c);
    }

    /**
     * Claims a FILED record the wheel has just expired; frees it when the claim wins.
     *
     * @return true if the timer fires; false if a cancel won (its request frees the record)
     */
    boolean fired(TimerRecord r) {
        long s = r.stateAcquire();
        if (TimerRecord.phase(s) == TimerRecord.FILED
                && r.casState(s, s - TimerRecord.FILED + TimerRecord.FIRED)) {
            r.target = null;
            recycle(r);
            return true;
        }
        return false;
    }

    /** Returns a record whose generation is over to producers while fewer than Q are out, else keeps it spare. */
    private void recycle(TimerRecord r) {
        if (stock.outstanding >= capacity || !offerFree(r)) {
            keepSpare(r);
        }
    }

    /** Refills {@code free} until Q records are out; allocates only when every record made is in use. */
    private void topUp() {
        while (stock.outstanding < capacity) {
            TimerRecord r = stock.spares > 0 ? stock.spare[--stock.spares] : make();
            stock.spare[stock.spares] = null;
            if (!offerFree(r)) {
                keepSpare(r);
                break;                                        // the next drain tops up again
            }
        }
    }

    /**
     * Offers to {@code free} without waiting: its slot is still set while the producer that polled
     * the slot's previous record (its CAS done) has not yet cleared it, and a plain offer would spin
     * on that producer; the record then stays spare until a later top-up.
     */
    private boolean offerFree(TimerRecord r) {
        if (free.relaxedOffer(r)) {
            stock.outstanding++;
            return true;
        }
        return false;
    }

    private void keepSpare(TimerRecord r) {
        if (stock.spares == stock.spare.length) {
            stock.spare = Arrays.copyOf(stock.spare, stock.spare.length * 2);
        }
        stock.spare[stock.spares++] = r;
    }

    private TimerRecord make() {
        if (stock.made == MAX_RECORDS) {
            throw new IllegalStateException("ticker full: " + stock.made + " timer records");
        }
        TimerRecord[] rs = records;
        if (stock.made == rs.length) {
            rs = Arrays.copyOf(rs, rs.length * 2);
        }
        TimerRecord r = new TimerRecord(stock.made);
        rs[stock.made++] = r;
        records = rs;                                         // before r is offered to free
        return r;
    }

    /** @return schedules claimed by producers so far: the schedule queue's producer index (a volatile load) */
    long publishedSchedules() {
        return scheduled.currentProducerIndex();
    }

    /** @return schedules drained so far: the schedule queue's consumer index */
    long drainedSchedules() {
        return scheduled.currentConsumerIndex();
    }

    /** @return requests queued and not yet drained (approximate while producers run) */
    int queued() {
        return scheduled.size() + cancels.size();
    }

    /** @return timer records made so far (the ticker's thread, or tests driving it) */
    int made() {
        return stock.made;
    }

    /** @return schedules and cancels refused because every record or cancel request was out */
    long refused() {
        return refused.get();
    }
}
