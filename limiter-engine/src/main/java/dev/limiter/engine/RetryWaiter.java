package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.time.Ticker;
import dev.limiter.engine.internal.time.TimeMath;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/*
 * One rate-limit or composite wait of AsyncAcquirer (see the comment there for why it retries
 * instead of reserving): at most one timer at a time on the engine's ticker, at the retry time
 * the last refusal named.
 *
 * States: WAITING -> DECIDING (the timer, on the ticker's thread) -> WAITING again or DONE; WAITING
 * -> CANCELLED (cancel(), any thread). The CAS on `state` orders cancel against a decision: a
 * cancelled waiter never takes permits, and a waiter that is deciding can no longer be cancelled.
 * A cancelled waiter's timer stays in the wheel until it fires and does nothing.
 *
 * The key: a 64-bit key, a private copy of a string key, or the caller's Checks (which the caller
 * leaves alone until told).
 */
/** A rate or composite wait: one timer at a time on the engine's ticker, see the comment above. */
final class RetryWaiter extends CompletableFuture<Decision> implements Ticker.TimerTarget {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private static final VarHandle STATE;
    private static final int WAITING = 0;
    private static final int DECIDING = 1;
    private static final int DONE = 2;
    private static final int CANCELLED = 3;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RetryWaiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OffHeapEngine engine;
    private final OffHeapLimiter limiter;
    private final long key;
    private final String stringKey;
    private final Checks checks;
    private final long permits;
    private final long deadline;
    private final AcquireCallback callback;
    private final Decision decision = new Decision();
    @SuppressWarnings("unused")
    private volatile int state;

    RetryWaiter(OffHeapEngine engine, OffHeapLimiter limiter, long key, String stringKey, Checks checks, long permits,
           long deadline, AcquireCallback callback) {
        this.engine = engine;
        this.limiter = limiter;
        this.key = key;
        this.stringKey = stringKey;
        this.checks = checks;
        this.permits = permits;
        this.deadline = deadline;
        this.callback = callback;
    }

    /** Schedules the retry that {@code refusal} (decided at {@code now}) names; false if the ticker refused it. */
    boolean schedule(long now, Decision refusal) {
        long at = TimeMath.addSaturated(now, refusal.retryAfterNanos());
        return engine.time().schedule(at, this, 0L) != Ticker.NULL_TICKET;
    }

    private boolean attempt(long now, Decision d) {
        return checks != null ? engine.tryAcquireAll(checks, now, d)
                : stringKey != null ? limiter.tryAcquire(stringKey, permits, now, d)
                : limiter.tryAcquire(key, permits, now, d);
    }

    @Override
    public void onTimer(long payload, long deadlineNanos, long nowNanos) {
        if (!STATE.compareAndSet(this, WAITING, DECIDING)) {
            return;                                  // cancelled
        }
        Decision d = decision;
        if (nowNanos > deadline) {
            // the wait is over: nothing more to wait for
            DECISIONS.set(d, Outcome.LIMITED, checks != null ? checks.limiter(0).limit() : limiter.limit(), 0, 0, 0L, 0L);
            finish(false);
            return;
        }
        boolean granted;
        try {
            granted = attempt(nowNanos, d);
        } catch (RuntimeException e) {                // the engine closed, or the table is full and refuses keys
            state = DONE;
            completeExceptionally(e);
            throw e;
        }
        if (granted) {
            finish(true);
        } else if (AsyncAcquirer.waitable(d, deadline - nowNanos)) {
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

