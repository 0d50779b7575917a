package dev.limiter.engine;

import dev.limiter.Limit;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.ConcurrencyKernel;
import dev.limiter.engine.internal.kernel.FixedWindowKernel;
import dev.limiter.engine.internal.kernel.GcraKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.kernel.SlidingWindowKernel;

/** Picks the kernel, and its state layout, that enforces a limit in this engine; stateless. */
final class Kernels {
    private Kernels() {
    }

    static Kernel kernelFor(Limit limit) {
        long layout = layoutPermits(limit);
        switch (limit.algorithm()) {
            case TOKEN_BUCKET:
                return new GcraKernel(limit);
            case FIXED_WINDOW:
                return new FixedWindowKernel(limit, layout);
            case SLIDING_WINDOW:
                // counts stay exact (one permit per unit) wherever N allows: room for raises is capped
                return new SlidingWindowKernel(limit, Math.max(limit.permits(),
                        Math.min(layout, SlidingWindowKernel.MAX_EXACT_PERMITS)));
            case CONCURRENCY:
                return new ConcurrencyKernel(limit, layout);
            case QUOTA:
                return new QuotaKernel(limit);
            case CARDINALITY:
                return new CardinalityKernel(limit);
            default:
                throw new IllegalArgumentException("limit '" + limit.name() + "': algorithm "
                        + limit.algorithm() + " is not supported by this engine yet");
        }
    }

    /**
     * @return the permits a kernel's state layout is sized for: N for a fixed limit, else room for
     *     per-key raises up to {@link OffHeapEngine#OVERRIDE_HEADROOM} times N
     */
    static long layoutPermits(Limit limit) {
        if (!limit.overridable()) {
            return limit.permits();
        }
        return Math.max(limit.permits(), Math.min(Limit.MAX_PERMITS, limit.permits() * OffHeapEngine.OVERRIDE_HEADROOM));
    }
}
