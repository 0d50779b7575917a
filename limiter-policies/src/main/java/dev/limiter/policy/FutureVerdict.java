package dev.limiter.policy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/** The verdict of {@link PolicyGate#evaluateAsync} as a future; cancelling it withdraws the wait. */
final class FutureVerdict extends CompletableFuture<Verdict> implements VerdictListener {
    private volatile Future<?> wait;

    @Override
    public void waiting(Future<?> wait) {
        this.wait = wait;
    }

    @Override
    public void decided(Verdict verdict) {
        if (!complete(verdict)) {
            verdict.complete();                           // cancelled meanwhile: nobody will serve it
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        Future<?> w = wait;
        return (w == null || w.cancel(false)) && super.cancel(mayInterruptIfRunning);
    }
}
