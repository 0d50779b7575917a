package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * FIFO waiters of one concurrency limiter, one queue per key, named by the key's 128-bit
 * fingerprint (the claim and publish words of its slot).
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
 * Rotations. Idle-key eviction moves a live key to a new table (TableRotation), so its slot offset
 * changes; its fingerprint does not. Queues are therefore keyed by the fingerprint, and a grant to
 * a waiter resolves the key's current slot through the view (SlotSteps.leaseQueued), re-resolving
 * when it meets a retired table or a frozen word, as every caller does. A release relocates the
 * key the same way (SlotSteps.release) and tells the queue of the fingerprint it refunded.
 *
 * Wake-ups are never lost (a Dekker pair). A request that may wait increments `waiting` (a
 * volatile read-modify-write), then a full fence, then tries the key (an acquire load of its word
 * in the current view, a CAS if it fits), and enqueues under the monitor. A release refunds the
 * key's word by CAS (volatile), in whatever table holds the key now, and then reads `waiting`
 * (volatile). Store-load order holds on both sides, so either the waiter's try sees the refund, or
 * the release sees `waiting` > 0 and takes the monitor - which the waiter holds until it has
 * enqueued - and then finds it at the head of the fingerprint's queue. A rotation between the two
 * changes nothing: a try that read the key's word in the retired table read it before the freeze
 * (else it met the frozen word and tried again in the new table), the freeze comes before the copy
 * and the copy before any refund in the new table, so that refund is still ordered after the
 * waiter's increment.
 *
 * Cost. A release on a limiter without waiters reads one volatile int. Everything else - joining,
 * granting at a release, timing out, cancelling - takes this object's monitor (one per limiter),
 * and only when something waits. Grants are made under the monitor and told outside it, one at a
 * time, so callbacks may close leases of the same key. No thread parks: a waiter is a queue entry
 * and one timer at its deadline on the engine's ticker.
 */
/** The asynchronous-lease queues of one concurrency limiter; thread-safe. */
final class LeaseWaiters {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final OffHeapLimiter limiter;
    /** Waiters in every queue, plus requests about to join one; see the wake-up note above. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** By claim word, each chained to the queues of other keys with the same claim; guarded by {@code this}. */
    private final Long2ObjectHashMap<KeyQueue> queues = new Long2ObjectHashMap<>();

    LeaseWaiters(OffHeapLimiter limiter) {
        this.limiter = limiter;
    }

    /** @return waiters queued on every key of this limiter */
    int size() {
        return waiting.get();
    }

    /**
     * Grants at once, or queues a waiter, for the key of fingerprint ({@code claim}, {@code publish}).
     *
     * @return the waiter, or null when {@code d} holds a refusal, or {@code grant[0]} the lease
     */
    Waiter start(KeySpace s, long claim, long publish, long permits, long now, long maxWait, Decision d,
                 LeaseCallback cb, Lease[] grant) {
        Waiter w;
        synchronized (this) {
            waiting.incrementAndGet();
            VarHandle.fullFence();                        // the slot is read with acquire below: keep it after the increment
            KeyQueue q = queue(claim, publish);
            if (q == null || q.isEmpty()) {
                Lease lease = limiter.steps().leaseQueued(s, claim, publish, permits, now, d);
                if (lease != null || d.outcome() != Outcome.LIMITED || maxWait == 0) {
                    waiting.decrementAndGet();
                    grant[0] = lease;
                    return null;
                }
                if (q == null) {
                    q = add(claim, publish);
                }
            } else {
                DECISIONS.set(d, Outcome.LIMITED, limiter.limit(), 0, 0, 0L, 0L);   // behind earlier waiters
            }
            w = new Waiter(this, q, permits, TimeMath.addSaturated(now, maxWait), cb, d);
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

    /** @return the queue of the key of fingerprint ({@code claim}, {@code publish}), or null; under the monitor */
    private KeyQueue queue(long claim, long publish) {
        KeyQueue q = queues.get(claim);
        while (q != null && q.publish != publish) {
            q = q.next;
        }
        return q;
    }

    /** @return a new, empty queue for the key, chained in; under the monitor */
    private KeyQueue add(long claim, long publish) {
        KeyQueue q = new KeyQueue(claim, publish);
        q.next = queues.get(claim);
        queues.put(claim, q);
        return q;
    }

    /** Unchains an empty queue; under the monitor. */
    private void drop(KeyQueue q) {
        KeyQueue first = queues.get(q.claim);
        if (first == q) {
            if (q.next == null) {
                queues.remove(q.claim);
            } else {
                queues.put(q.claim, q.next);
            }
            return;
        }
        for (KeyQueue p = first; p != null; p = p.next) {
            if (p.next == q) {
                p.next = q.next;
                return;
            }
        }
    }

    /**
     * Permits came back to the key whose slot is {@code offset} in {@code table} (which still holds
     * its fingerprint, retired or not): grant its queue's head while it fits. A release's first
     * step reads one volatile int when nothing waits.
     */
    void released(KeySpace s, KeyTable table, int offset, long now) {
        if (waiting.get() != 0) {
            released(s, table.claimAt(offset), table.publishAt(offset), now);
        }
    }

    /** Permits came back to the key of fingerprint ({@code claim}, {@code publish}): grant its queue's head while it fits. */
    private void released(KeySpace s, long claim, long publish, long now) {
        while (true) {
            Waiter w;
            Lease lease = null;
            synchronized (this) {
                KeyQueue q = queue(claim, publish);
                w = q == null ? null : q.peekFirst();
                if (w == null) {
                    return;
                }
                if (now <= w.deadline) {
                    lease = limiter.steps().leaseQueued(s, claim, publish, w.permits, now, w.decision);
                    if (lease == null) {
                        return;                           // the head does not fit: nobody behind it goes first
                    }
                }
                remove(w);
                w.state = Waiter.DONE;
            }
            w.tell(lease);
        }
    }

    /** Removes {@code w} from its queue under the monitor; @return whether it was the head */
    private boolean remove(Waiter w) {
        KeyQueue q = w.queue;
        boolean head = q.peekFirst() == w;
        if (head) {
            q.pollFirst();
        } else {
            q.remove(w);
        }
        if (q.isEmpty()) {
            drop(q);
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
            return remove(w) ? 1 : 0;
        }
    }

    /** After a head left without a grant: the next waiter may fit where the head did not. */
    private void headLeft(KeyQueue q, long now) {
        if (!limiter.isClosed()) {
            try {
                released(limiter.open(), q.claim, q.publish, now);
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
        /** The key's queue: the same object for the wait's whole life, wherever the key's slot moves. */
        final KeyQueue queue;
        final long permits;
        final long deadline;
        private final LeaseCallback callback;
        final Decision decision;
        /** Guarded by the owner's monitor; read without it only by this waiter's own teller. */
        int state;
        /** Set once after scheduling; a cancel that reads it unset leaves the timer to fire and find nothing. */
        volatile long ticket = Ticker.NULL_TICKET;

        Waiter(LeaseWaiters owner, KeyQueue queue, long permits, long deadline, LeaseCallback callback, Decision d) {
            this.owner = owner;
            this.queue = queue;
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
                owner.headLeft(queue, now);
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
                owner.headLeft(queue, owner.limiter.clock().nanoTime());
            }
            return true;
        }
    }

    /** The FIFO of one key's waiters, named by the key's fingerprint; guarded by the owner's monitor. */
    @SuppressWarnings("serial")
    static final class KeyQueue extends ArrayDeque<Waiter> {
        final long claim;
        final long publish;
        /** The next queue whose key has the same claim word, or null. */
        KeyQueue next;

        KeyQueue(long claim, long publish) {
            this.claim = claim;
            this.publish = publish;
        }
    }
}
