package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimeMath;
import org.agrona.collections.Int2ObjectHashMap;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * FIFO waiters of one concurrency limiter, one queue per key (by the key's slot offset).
 *
 * Head of line. Permits that come back to a key (a lease closed, a lease reclaimed by its timer, a
 * composite's releaseAll) go to the head of that key's queue first: the head is granted while its
 * request fits, and the queue stops at the first waiter that does not fit, so a later waiter is
 * never granted before an earlier one on the same key, even one asking fewer permits. A new
 * asynchronous request joins the tail without trying when the queue is not empty. A waiter whose
 * deadline has passed is refused when its timer fires or when a release finds it at the head,
 * whichever comes first, and is never granted after its deadline.
 *
 * Synchronous callers barge. tryLease never looks at the queues (it stays one CAS, no lock); it
 * may take permits a release has just returned before the head is granted, and then the head keeps
 * waiting. Waiters are ordered among themselves, not against synchronous callers.
 *
 * Wake-ups are never lost (a Dekker pair). A request that may wait increments `waiting` (a
 * volatile read-modify-write), then a full fence, then tries the key (an acquire load of its word,
 * a CAS if it fits), and enqueues under the monitor. A release refunds the key's word by CAS
 * (volatile) and then reads `waiting` (volatile). Store-load order holds on both sides, so either
 * the waiter's try sees the refund, or the release sees `waiting` > 0 and takes the monitor -
 * which the waiter holds until it has enqueued - and then finds it at the head.
 *
 * Cost. A release on a limiter without waiters reads one volatile int. Everything else - joining,
 * granting at a release, timing out, cancelling - takes this object's monitor (one per limiter),
 * and only when something waits. Grants are made under the monitor and told outside it, one at a
 * time, so callbacks may close leases of the same key. No thread parks: a waiter is a queue entry
 * and one timer at its deadline on the engine's ticker.
 *
 * Keyed by slot: a waiting key holds leases (else it would not wait), so its slot stays its own
 * while it has waiters.
 */
/** The asynchronous-lease queues of one concurrency limiter; thread-safe. */
final class LeaseWaiters {
    private final OffHeapLimiter limiter;
    /** Waiters in every queue, plus requests about to join one; see the wake-up note above. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Guarded by {@code this}. */
    private final Int2ObjectHashMap<ArrayDeque<Waiter>> queues = new Int2ObjectHashMap<>();

    LeaseWaiters(OffHeapLimiter limiter) {
        this.limiter = limiter;
    }

    /** @return waiters queued on every key of this limiter */
    int size() {
        return waiting.get();
    }

    /**
     * Grants at once, or queues a waiter, for a resolved key ({@code offset >= 0}).
     *
     * @return the waiter, or null when {@code d} holds a refusal, or {@code grant[0]} the lease
     */
    Waiter start(KeySpace s, int offset, long permits, long now, long maxWait, Decision d, LeaseCallback cb,
                 Lease[] grant) {
        Waiter w;
        synchronized (this) {
            waiting.incrementAndGet();
            VarHandle.fullFence();                        // the slot is read with acquire below: keep it after the increment
            ArrayDeque<Waiter> q = queues.get(offset);
            if (q == null || q.isEmpty()) {
                Lease lease = limiter.leaseAt(s, offset, permits, now, d);
                if (lease != null || d.outcome() != Outcome.LIMITED || maxWait == 0) {
                    waiting.decrementAndGet();
                    grant[0] = lease;
                    return null;
                }
                if (q == null) {
                    q = new ArrayDeque<>();
                    queues.put(offset, q);
                }
            } else {
                d.set(Outcome.LIMITED, limiter.limit(), 0, 0, 0L, 0L);   // behind earlier waiters
            }
            w = new Waiter(this, offset, permits, TimeMath.addSaturated(now, maxWait), cb, d);
            q.addLast(w);
        }
        long ticket = limiter.engine().time().schedule(w.deadline, w, 0L);
        if (ticket == Ticker.NULL_TICKET) {
            w.expire(now);                                // the ticker refused the timer: refuse the wait
        } else {
            w.ticket = ticket;
        }
        return w;
    }

    /** Permits came back to the key at {@code offset}: grant its queue's head while it fits. */
    void released(KeySpace s, int offset, long now) {
        if (waiting.get() == 0) {
            return;
        }
        while (true) {
            Waiter w;
            Lease lease = null;
            synchronized (this) {
                ArrayDeque<Waiter> q = queues.get(offset);
                w = q == null ? null : q.peekFirst();
                if (w == null) {
                    return;
                }
                if (now <= w.deadline) {
                    lease = limiter.leaseAt(s, offset, w.permits, now, w.decision);
                    if (lease == null) {
                        return;                           // the head does not fit: nobody behind it goes first
                    }
                }
                remove(q, w);
                w.state = Waiter.DONE;
            }
            w.tell(lease);
        }
    }

    /** Removes {@code w} from its queue under the monitor; @return whether it was the head */
    private boolean remove(ArrayDeque<Waiter> q, Waiter w) {
        boolean head = q.peekFirst() == w;
        if (head) {
            q.pollFirst();
        } else {
            q.remove(w);
        }
        if (q.isEmpty()) {
            queues.remove(w.offset);
        }
        waiting.decrementAndGet();
        return head;
    }

    /**
     * Ends {@code w} as {@code newState} unless it is already done.
     *
     * @return -1 when it was not waiting; else 1 when it was its queue's head, 0 when not
     */
    private int end(Waiter w, int newState) {
        synchronized (this) {
            if (w.state != Waiter.WAITING) {
                return -1;
            }
            w.state = newState;
            return remove(queues.get(w.offset), w) ? 1 : 0;
        }
    }

    /** After a head left without a grant: the next waiter may fit where the head did not. */
    private void headLeft(int offset, long now) {
        if (!limiter.isClosed()) {
            try {
                released(limiter.open(), offset, now);
            } catch (IllegalStateException closedMeanwhile) {
                // nothing is granted on a closed limiter
            }
        }
    }

    /**
     * One queued request: a future of its lease, told once. States, changed only under the queue
     * monitor: WAITING -> DONE (granted or refused) or WAITING -> CANCELLED.
     */
    static final class Waiter extends CompletableFuture<Lease> implements Ticker.TimerTarget {
        static final int WAITING = 0;
        static final int DONE = 1;
        static final int CANCELLED = 2;

        private final LeaseWaiters owner;
        final int offset;
        final long permits;
        final long deadline;
        private final LeaseCallback callback;
        final Decision decision;
        /** Guarded by the owner's monitor; read without it only by this waiter's own teller. */
        int state;
        /** Set once after scheduling; a cancel that reads it unset leaves the timer to fire and find nothing. */
        volatile long ticket = Ticker.NULL_TICKET;

        Waiter(LeaseWaiters owner, int offset, long permits, long deadline, LeaseCallback callback, Decision d) {
            this.owner = owner;
            this.offset = offset;
            this.permits = permits;
            this.deadline = deadline;
            this.callback = callback;
            this.decision = d.snapshot();
        }

        /** The deadline timer, on the ticker's thread. */
        @Override
        public void onTimer(long payload, long deadlineNanos, long nowNanos) {
            expire(nowNanos);
        }

        void expire(long now) {
            int ended = owner.end(this, DONE);
            if (ended >= 0) {
                tell(null);
            }
            if (ended == 1) {
                owner.headLeft(offset, now);
            }
        }

        /** Tells the outcome once; called outside the monitor after the state became DONE. */
        void tell(Lease lease) {
            if (lease != null) {
                long t = ticket;
                if (t != Ticker.NULL_TICKET) {
                    owner.limiter.engine().time().cancel(t);
                }
                if (callback != null) {
                    callback.granted(lease, decision);
                }
                complete(lease);
            } else {
                if (callback != null) {
                    callback.refused(decision);
                }
                completeExceptionally(new AcquireRefusedException(decision));
            }
        }

        /** Withdraws the wait unless it was granted or refused already; a withdrawn wait holds nothing. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            int ended = owner.end(this, CANCELLED);
            if (ended < 0) {
                return false;
            }
            long t = ticket;
            if (t != Ticker.NULL_TICKET) {
                owner.limiter.engine().time().cancel(t);
            }
            super.cancel(mayInterruptIfRunning);
            if (ended == 1) {
                owner.headLeft(offset, owner.limiter.clock().nanoTime());
            }
            return true;
        }
    }
}
