package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * States: WAITING -> DECIDING (the timer, on the ticker's thread) -> WAITING again or DONE; WAITING
 * -> CANCELLED (cancel(), any thread). The CAS on `state` orders cancel against a decision: a
 * cancelled waiter never takes permits, and a waiter that is deciding can no longer be cancelled.
 * A cancelled waiter's timer stays in the wheel until it fires and does nothing.
 */
/**
 * Asynchronous acquire for the rate limits of one {@link OffHeapEngine} (token bucket, fixed and
 * sliding window, quota): wait for permits up to a maximum without parking a thread.
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
 *   <li>When the ticker's command queue is full the request is refused at once. Waits still
 *       pending when the engine closes never complete.</li>
 * </ul>
 */
public final class AsyncAcquirer {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final OffHeapEngine engine;
    private final ThreadLocal<Decision> decisions = ThreadLocal.withInitial(Decision::new);

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
        long wait = TimeMath.clampUnsigned(Objects.requireNonNull(maxWait, "maxWait").toNanos());
        Decision d = new Decision();
        Waiter w = start(limiter, key, permits, wait, d, null);
        if (w != null) {
            return w;
        }
        return d.allowed() ? CompletableFuture.completedFuture(d)
                : CompletableFuture.failedFuture(new AcquireRefusedException(d));
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
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("maxWaitNanos must not be negative: " + maxWaitNanos);
        }
        Decision d = decisions.get();
        Waiter w = start(limiter, key, permits, maxWaitNanos, d, callback);
        if (w == null) {
            if (d.allowed()) {
                callback.granted(d);
            } else {
                callback.refused(d);
            }
        }
        return w;
    }

    /** @return the waiter, or null when {@code d} holds the outcome already */
    private Waiter start(RateLimiter limiter, long key, long permits, long maxWait, Decision d, AcquireCallback callback) {
        OffHeapLimiter l = engine.owned(Objects.requireNonNull(limiter, "limiter"), 0);
        long now = l.clock().nanoTime();
        if (l.tryAcquire(key, permits, now, d) || !waitable(d, maxWait)) {
            return null;
        }
        Waiter w = new Waiter(l, key, permits, TimeMath.addSaturated(now, maxWait), callback);
        return w.schedule(now, d) ? w : null;
    }

    /** @return whether a refusal may be waited out within {@code wait} */
    static boolean waitable(Decision d, long wait) {
        return d.outcome() == Outcome.LIMITED && d.retryAfterNanos() != Decision.NEVER && d.retryAfterNanos() <= wait;
    }

    static final class Waiter extends CompletableFuture<Decision> implements Ticker.TimerTarget {
        private static final VarHandle STATE;
        private static final int WAITING = 0;
        private static final int DECIDING = 1;
        private static final int DONE = 2;
        private static final int CANCELLED = 3;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final OffHeapLimiter limiter;
        private final long key;
        private final long permits;
        private final long deadline;
        private final AcquireCallback callback;
        private final Decision decision = new Decision();
        @SuppressWarnings("unused")
        private volatile int state;

        Waiter(OffHeapLimiter limiter, long key, long permits, long deadline, AcquireCallback callback) {
            this.limiter = limiter;
            this.key = key;
            this.permits = permits;
            this.deadline = deadline;
            this.callback = callback;
        }

        /** Schedules the retry that {@code refusal} (decided at {@code now}) names; false if the ticker refused it. */
        boolean schedule(long now, Decision refusal) {
            long at = TimeMath.addSaturated(now, refusal.retryAfterNanos());
            return limiter.engine().time().schedule(at, this, 0L) != Ticker.NULL_TICKET;
        }

        @Override
        public void onTimer(long payload, long deadlineNanos, long nowNanos) {
            if (!STATE.compareAndSet(this, WAITING, DECIDING)) {
                return;                                  // cancelled
            }
            Decision d = decision;
            if (nowNanos > deadline) {
                DECISIONS.set(d, Outcome.LIMITED, limiter.limit(), 0, 0, 0L, 0L);   // the wait is over: nothing more to wait for
                finish(false);
                return;
            }
            boolean granted;
            try {
                granted = limiter.tryAcquire(key, permits, nowNanos, d);
            } catch (RuntimeException e) {                // the engine closed, or the table is full and refuses keys
                state = DONE;
                completeExceptionally(e);
                throw e;
            }
            if (granted) {
                finish(true);
            } else if (waitable(d, deadline - nowNanos)) {
                state = WAITING;
                if (!schedule(nowNanos, d) && STATE.compareAndSet(this, WAITING, DONE)) {
                    finish(false);
                }
            } else {
                finish(false);
            }
        }

        private void finish(boolean granted) {
            state = DONE;
            if (callback != null) {
                if (granted) {
                    callback.granted(decision);
                } else {
                    callback.refused(decision);
                }
            }
            if (granted) {
                complete(decision);
            } else {
                completeExceptionally(new AcquireRefusedException(decision));
            }
        }

        /** Withdraws the wait unless it is being decided or done; a withdrawn wait never takes permits. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return STATE.compareAndSet(this, WAITING, CANCELLED) && super.cancel(mayInterruptIfRunning);
        }
    }
}
