package dev.limiter.policy;

import java.util.concurrent.Future;

/**
 * Told about a request that waits for its permits
 * ({@link PolicyEvaluator#evaluate(RequestView, long, VerdictListener)}): first, on the
 * evaluating thread before {@code evaluate} returns, the wait itself (to cancel it, for example
 * when the client goes away); later, once, the verdict - on the engine's timer thread or the
 * thread that returned permits, so hand it to your own executor (an event loop) at once.
 */
public interface VerdictListener {

    /**
     * The request waits; {@code wait.cancel(false)} withdraws it (then {@link #decided} is never
     * called, and nothing is held). A cancel that returns false lost the race: the verdict comes.
     */
    void waiting(Future<?> wait);

    /**
     * The wait ended: allowed (the permits are taken, as for a verdict decided at once), or denied
     * with the verdict's ready 429. The callee owns the verdict and must {@link Verdict#complete()} it.
     */
    void decided(Verdict verdict);
}
