package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limiter;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.TableView;
import dev.limiter.engine.internal.time.TimeMath;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/*
 * Waiting without a thread. An acquire that is refused with a retry-after r within its maximum
 * wait becomes a Waiter: one timer on the engine's ticker at now + r. When it fires, the ticker's
 * thread tries again at its reading; a grant completes the waiter, a refusal with a new r that
 * still fits the wait re-schedules it, anything else refuses it. No thread parks: a waiter is an
 * object in the wheel, and the only thread is the engine's one ticker.
 *
 * Why retry instead of reserving ahead. A grant is an ordinary decision of the limiter's kernel at
 * the time the waiter completes, so every completed wait respects the limit's guarantee judged on
 * completion times, with no new kernel step and nothing to refund; for a token bucket and a
 * window alike the retry-after is the exact time the request conforms, so an uncontended waiter
 * completes at that time (at most one tick late). The cost: a waiter has no reserved place - a
 * synchronous caller that takes the permits first makes it wait again (or fail at its deadline).
 *
 * A wait is a RetryWaiter (its states are drawn there). Concurrency limits cannot retry on time -
 * permits come back when leases are released - so their waiters queue per key in LeaseWaiters.
 */
/**
 * Asynchronous acquire for one {@link OffHeapEngine}: wait for permits up to a maximum without
 * parking a thread. Rate limits (token bucket, fixed and sliding window, quota) with 64-bit or
 * string keys and composite decisions ({@link #acquireAll}) follow the rules below; concurrency
 * limits queue FIFO per key and are served when permits are released ({@link #lease}).
 *
 * <ul>
 *   <li>Granted at once when the limit allows; refused at once when the retry-after exceeds the
 *       maximum wait (or the request can never be granted, or the key's table is full and
 *       refuses): the refusal carries the retry-after.</li>
 *   <li>Otherwise the request waits on the engine's ticker and is decided again at the time it
 *       conforms (at most one timer tick later), again after each new retry-after, and refused
 *       once its maximum wait is over: no wait completes after {@code now + maxWait}.</li>
 *   <li>Every grant is a decision of the limit at its completion time, so the limit's guarantee
 *       holds on completion times. A waiter holds no permits: cancelling it takes nothing back
 *       because nothing was taken. A synchronous caller can take the permits a waiter waits for.</li>
 *   <li>Completions run on the engine's ticker thread: keep dependent actions short, or use the
 *       future's {@code *Async} methods. On an engine with a {@link dev.limiter.ManualClock} they run in
 *       {@link OffHeapEngine#runTimers()}.</li>
 *   <li>When the ticker's queue has no free timer record the request is refused at once. Waits still
 *       pending when the engine closes never complete.</li>
 *   <li>A string key is copied ({@code toString()}) only when the request must wait; an outcome
 *       known at once allocates nothing in the callback forms.</li>
 *   <li>Composites: all-or-nothing at the completion time (each attempt is one
 *       {@link OffHeapEngine#tryAcquireAll}); a refusal's retry-after is the longest among the
 *       denying checks, and the wait is retried then. The engine reads {@code checks} (and its
 *       keys) until the wait is told: do not change or reuse it before. Concurrency checks in a
 *       composite are retried at the time their kernel names, not woken by a release.</li>
 * </ul>
 *
 * <p>Concurrency limits ({@link #lease}): a request the key cannot take at once waits in the key's
 * FIFO queue until permits come back (a lease closed or reclaimed), at most {@code maxWait};
 * released permits go to the head of the queue first (head of line: a later waiter never goes
 * before an earlier one), and synchronous {@code tryLease} callers may barge ahead of the queue.
 * The grant is a {@link Lease}; cancelling a wait leaves nothing held. See {@code LeaseWaiters}.
 */
public final class AsyncAcquirer {
    private final OffHeapEngine engine;
    private final ThreadLocal<Decision> decisions = ThreadLocal.withInitial(Decision::new);
    private final ThreadLocal<Lease[]> grants = ThreadLocal.withInitial(() -> new Lease[1]);

    AsyncAcquirer(OffHeapEngine engine) {
        this.engine = engine;
    }

    /**
     * Acquires {@code permits} for {@code key}, waiting at most {@code maxWait}.
     *
     * @return a future that completes with the grant, or exceptionally with an
     *     {@link AcquireRefusedException} carrying the refusal; cancelling it withdraws the wait
     */
    public CompletableFuture<Decision> acquire(RateLimiter limiter, long key, long permits, Duration maxWait) {
        Decision d = new Decision();
        return future(start(owned(limiter), key, null, null, permits, nanos(maxWait), d, null), d);
    }

    /** As {@link #acquire(RateLimiter, long, long, Duration)} for a string key (copied only if it must wait). */
    public CompletableFuture<Decision> acquire(RateLimiter limiter, CharSequence key, long permits, Duration maxWait) {
        Objects.requireNonNull(key, "key");
        Decision d = new Decision();
        return future(start(owned(limiter), 0L, key, null, permits, nanos(maxWait), d, null), d);
    }

    /**
     * Acquires {@code permits} for {@code key}, waiting at most {@code maxWaitNanos}, and tells
     * {@code callback} once. Allocates nothing when the outcome is known at once.
     *
     * @return null when the callback already ran on this thread; else the pending wait, whose
     *     {@code cancel} withdraws it (the callback is then never called)
     */
    public Future<Decision> acquire(RateLimiter limiter, long key, long permits, long maxWaitNanos,
                                    AcquireCallback callback) {
        Objects.requireNonNull(callback, "callback");
        Decision d = decisions.get();
        return tell(start(owned(limiter), key, null, null, permits, nonNegative(maxWaitNanos), d, callback), d, callback);
    }

    /** As {@link #acquire(RateLimiter, long, long, long, AcquireCallback)} for a string key (copied only if it must wait). */
    public Future<Decision> acquire(RateLimiter limiter, CharSequence key, long permits, long maxWaitNanos,
                                    AcquireCallback callback) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(callback, "callback");
        Decision d = decisions.get();
        return tell(start(owned(limiter), 0L, key, null, permits, nonNegative(maxWaitNanos), d, callback), d, callback);
    }

    /**
     * Acquires every check of {@code checks} together (all or nothing at the completion time),
     * waiting at most {@code maxWait}; do not change {@code checks} until the future completes.
     * Concurrency permits taken are returned with {@link OffHeapEngine#releaseAll}.
     *
     * @return a future of the grant, or exceptionally an {@link AcquireRefusedException} whose
     *     decision names the denying check and the longest retry-after among the denying checks
     */
    public CompletableFuture<Decision> acquireAll(Checks checks, Duration maxWait) {
        Objects.requireNonNull(checks, "checks");
        Decision d = new Decision();
        return future(start(null, 0L, null, checks, 1L, nanos(maxWait), d, null), d);
    }

    /** As {@link #acquireAll(Checks, Duration)} with a callback; null when the callback already ran. */
    public Future<Decision> acquireAll(Checks checks, long maxWaitNanos, AcquireCallback callback) {
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(callback, "callback");
        Decision d = decisions.get();
        return tell(start(null, 0L, null, checks, 1L, nonNegative(maxWaitNanos), d, callback), d, callback);
    }

    /** The composite wait as {@link dev.limiter.LimiterEngine#acquireAllAsync} has it: told with the final decision. */
    CompletableFuture<Decision> acquireAllDecided(Checks checks, long maxWaitNanos) {
        Decided told = new Decided();
        told.pending = acquireAll(checks, maxWaitNanos, told);
        return told;
    }

    /**
     * Takes a lease of {@code permits} on {@code key} of a concurrency limit, waiting at most
     * {@code maxWait} in the key's FIFO queue.
     *
     * @return a future of the lease (its owner must close it), or exceptionally an
     *     {@link AcquireRefusedException}; cancelling it withdraws the wait and holds nothing
     */
    public CompletableFuture<Lease> lease(ConcurrencyLimiter limiter, long key, long permits, Duration maxWait) {
        Decision d = new Decision();
        Lease[] grant = new Lease[1];
        return leaseFuture(startLease(owned(limiter), key, null, permits, nanos(maxWait), d, null, grant), d, grant);
    }

    /** As {@link #lease(ConcurrencyLimiter, long, long, Duration)} for a string key (never copied: its queue is named by the key's fingerprint). */
    public CompletableFuture<Lease> lease(ConcurrencyLimiter limiter, CharSequence key, long permits, Duration maxWait) {
        Objects.requireNonNull(key, "key");
        Decision d = new Decision();
        Lease[] grant = new Lease[1];
        return leaseFuture(startLease(owned(limiter), 0L, key, permits, nanos(maxWait), d, null, grant), d, grant);
    }

    /**
     * As {@link #lease(ConcurrencyLimiter, long, long, Duration)}, telling {@code callback} once.
     *
     * @return null when the callback already ran on this thread; else the pending wait
     */
    public Future<Lease> lease(ConcurrencyLimiter limiter, long key, long permits, long maxWaitNanos, LeaseCallback callback) {
        Objects.requireNonNull(callback, "callback");
        Decision d = decisions.get();
        Lease[] grant = grants.get();
        return tellLease(startLease(owned(limiter), key, null, permits, nonNegative(maxWaitNanos), d, callback, grant),
                d, grant, callback);
    }

    /** As {@link #lease(ConcurrencyLimiter, long, long, long, LeaseCallback)} for a string key. */
    public Future<Lease> lease(ConcurrencyLimiter limiter, CharSequence key, long permits, long maxWaitNanos,
                               LeaseCallback callback) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(callback, "callback");
        Decision d = decisions.get();
        Lease[] grant = grants.get();
        return tellLease(startLease(owned(limiter), 0L, key, permits, nonNegative(maxWaitNanos), d, callback, grant),
                d, grant, callback);
    }

    private static long nanos(Duration maxWait) {
        return TimeMath.clampUnsigned(Objects.requireNonNull(maxWait, "maxWait").toNanos());
    }

    private static long nonNegative(long maxWaitNanos) {
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("maxWaitNanos must not be negative: " + maxWaitNanos);
        }
        return maxWaitNanos;
    }

    /** The typed parameter already chose the kind of limit: a rate limit, or a concurrency limit for leases. */
    private OffHeapLimiter owned(Limiter limiter) {
        return engine.owned(Objects.requireNonNull(limiter, "limiter"), 0);
    }

    /** @return the waiter, or null when {@code d} holds the outcome already */
    private RetryWaiter start(OffHeapLimiter l, long key, CharSequence stringKey, Checks checks, long permits,
                         long maxWait, Decision d, AcquireCallback callback) {
        long now = engine.clock().nanoTime();
        boolean granted = checks != null ? engine.tryAcquireAll(checks, now, d)
                : stringKey != null ? l.tryAcquire(stringKey, permits, now, d) : l.tryAcquire(key, permits, now, d);
        if (granted || !waitable(d, maxWait)) {
            return null;
        }
        RetryWaiter w = new RetryWaiter(engine, l, key, stringKey == null ? null : stringKey.toString(), checks, permits,
                TimeMath.addSaturated(now, maxWait), callback);
        return w.schedule(now, d) ? w : null;
    }

    /** @return the queued waiter, or null when {@code grant[0]} (a lease) or {@code d} (a refusal) holds the outcome */
    private LeaseWaiters.Waiter startLease(OffHeapLimiter l, long key, CharSequence stringKey, long permits,
                                           long maxWait, Decision d, LeaseCallback callback, Lease[] grant) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        grant[0] = null;
        KeySpace s = l.open();
        long now = l.clock().nanoTime();
        SlotSteps steps = l.steps();
        for (int tries = 0;; tries++) {                   // resolve the key's slot: its fingerprint names its queue
            TableView v = s.view();
            int offset = stringKey != null ? s.find(v, stringKey) : s.find(v, key);
            if (offset >= 0) {
                return steps.waiters().start(s, v.table().claimAt(offset), v.table().publishAt(offset), permits, now,
                        maxWait, d, callback, grant);
            }
            if (offset == KeyTable.RETIRED || (tries < SlotSteps.ROOM_TRIES && s.makeRoom(v))) {
                continue;
            }
            grant[0] = steps.fullLease(s, permits, now, d);   // a full table decides at once, as tryLease does
            return null;
        }
    }

    private static CompletableFuture<Decision> future(RetryWaiter w, Decision d) {
        if (w != null) {
            return w;
        }
        return d.allowed() ? CompletableFuture.completedFuture(d)
                : CompletableFuture.failedFuture(new AcquireRefusedException(d));
    }

    private static Future<Decision> tell(RetryWaiter w, Decision d, AcquireCallback callback) {
        if (w == null) {
            if (d.allowed()) {
                callback.granted(d);
            } else {
                callback.refused(d);
            }
        }
        return w;
    }

    private static CompletableFuture<Lease> leaseFuture(LeaseWaiters.Waiter w, Decision d, Lease[] grant) {
        if (w != null) {
            return w;
        }
        return grant[0] != null ? CompletableFuture.completedFuture(grant[0])
                : CompletableFuture.failedFuture(new AcquireRefusedException(d));
    }

    private static Future<Lease> tellLease(LeaseWaiters.Waiter w, Decision d, Lease[] grant, LeaseCallback callback) {
        if (w == null) {
            Lease lease = grant[0];
            grant[0] = null;
            if (lease != null) {
                callback.granted(lease, d);
            } else {
                callback.refused(d);
            }
        }
        return w;
    }

    /** @return whether a refusal may be waited out within {@code wait} */
    static boolean waitable(Decision d, long wait) {
        return d.outcome() == Outcome.LIMITED && d.retryAfterNanos() != Decision.NEVER && d.retryAfterNanos() <= wait;
    }

    /** A composite wait told through a future that completes normally with the final decision, allowed or not. */
    static final class Decided extends CompletableFuture<Decision> implements AcquireCallback {
        volatile Future<Decision> pending;

        @Override
        public void granted(Decision decision) {
            complete(decision.snapshot());
        }

        @Override
        public void refused(Decision decision) {
            complete(decision.snapshot());
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            Future<Decision> p = pending;
            return p != null && p.cancel(false) && super.cancel(mayInterruptIfRunning);
        }
    }
}
