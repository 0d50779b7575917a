package dev.limiter.redis;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.engine.internal.CardinalityKernel;
import dev.limiter.engine.internal.ConcurrencyKernel;
import dev.limiter.engine.internal.FixedWindowKernel;
import dev.limiter.engine.internal.GcraKernel;
import dev.limiter.engine.internal.Kernel;
import dev.limiter.engine.internal.QuotaKernel;
import dev.limiter.engine.internal.SlidingWindowKernel;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The engine's kernel for one key on a scratch buffer: the reference each Lua script is checked
 * against. This is the only class of the module that touches engine internals; when the kernels
 * become pure step functions, only this class changes.
 */
final class KernelReference {
    /** What one step decided, in the fields both implementations report. */
    record Step(String outcome, long remaining, long retryAfterNanos, long resetAfterNanos) {
        static Step of(RedisDecision d) {
            return new Step(d.outcome().name(), d.remaining(), d.retryAfterNanos(), d.resetAfterNanos());
        }
    }

    private final Kernel kernel;
    private final UnsafeBuffer state;
    /** Cardinality only: one member word per member index, as the engine's second table holds them. */
    private final UnsafeBuffer members = new UnsafeBuffer(new byte[8 * MEMBERS]);
    private final Decision decision = new Decision();
    private long lastToken;

    /** How many distinct members a cardinality reference can track. */
    static final int MEMBERS = 64;

    KernelReference(Limit limit) {
        switch (limit.algorithm()) {
            case TOKEN_BUCKET:
                kernel = new GcraKernel(limit);
                break;
            case FIXED_WINDOW:
                kernel = new FixedWindowKernel(limit);
                break;
            case SLIDING_WINDOW:
                kernel = new SlidingWindowKernel(limit);
                break;
            case QUOTA:
                kernel = new QuotaKernel(limit);
                break;
            case CONCURRENCY:
                kernel = new ConcurrencyKernel(limit);
                break;
            case CARDINALITY:
                kernel = new CardinalityKernel(limit);
                break;
            default:
                throw new IllegalArgumentException("no reference kernel for " + limit.algorithm());
        }
        state = new UnsafeBuffer(new byte[8 * kernel.stateWords()]);
    }

    /** Decides {@code permits} at {@code now} as the engine would (more than the kernel can grant: unsatisfiable). */
    Step step(long now, long permits) {
        if (permits > kernel.maxPermits()) {
            return new Step("UNSATISFIABLE", 0, RedisDecision.NEVER, RedisDecision.NEVER);
        }
        lastToken = kernel.acquire(state, 0, permits, now, decision);
        boolean granted = lastToken != Kernel.DENIED;
        return new Step(granted ? "ALLOWED" : "LIMITED", decision.remaining(), decision.retryAfterNanos(),
                decision.resetAfterNanos());
    }

    /** @return the most permits the kernel grants one request; more is unsatisfiable */
    long maxPermits() {
        return kernel.maxPermits();
    }

    /** @return the denial the kernel's read-only check gives at {@code now}, or null when it would admit */
    Step peek(long now, long permits) {
        if (kernel.peek(state, 0, permits, now, decision) == 0) {
            return null;
        }
        return new Step("LIMITED", decision.remaining(), decision.retryAfterNanos(), decision.resetAfterNanos());
    }

    /** @return the token of the last granted step: for a concurrency lease, its generation ^ Long.MIN_VALUE */
    long lastToken() {
        return lastToken;
    }

    /** Releases a concurrency lease of {@code permits} granted with {@code token}, at {@code now}. */
    void release(long token, long permits, long now) {
        ((ConcurrencyKernel) kernel).release(state, 0, permits, token, now);
    }

    /** Admits member {@code index} (in [0, {@link #MEMBERS})) under the key, as the cardinality kernel would. */
    Step admit(int index) {
        long token = ((CardinalityKernel) kernel).admit(state, 0, members, 8 * index, decision);
        return new Step(token != Kernel.DENIED ? "ALLOWED" : "LIMITED", decision.remaining(), decision.retryAfterNanos(),
                decision.resetAfterNanos());
    }

    /** @return the member word of member {@code index}: its mark, or 0 when never admitted */
    long memberWord(int index) {
        return members.getLongVolatile(8 * index);
    }

    /** @return the key's state words, in the order the scripts store them */
    long[] words() {
        long[] words = new long[kernel.stateWords()];
        for (int i = 0; i < words.length; i++) {
            words[i] = state.getLongVolatile(8 * i);
        }
        return words;
    }
}
