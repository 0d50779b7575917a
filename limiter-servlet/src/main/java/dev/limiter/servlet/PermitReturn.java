package dev.limiter.servlet;

import dev.limiter.policy.Verdict;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Completes a verdict that holds concurrency permits when the async cycle of its request ends
 * (complete, error or timeout); completing more than once does nothing.
 */
final class PermitReturn implements AsyncListener {
    private final Verdict verdict;

    PermitReturn(Verdict verdict) {
        this.verdict = verdict;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        RateLimitFilter.complete(verdict);
    }

    @Override
    public void onError(AsyncEvent event) {
        RateLimitFilter.complete(verdict);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        RateLimitFilter.complete(verdict);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);   // async restarted after a dispatch: keep listening
    }
}
