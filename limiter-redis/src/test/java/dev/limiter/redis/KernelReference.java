package dev.limiter.redis;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.ConcurrencyKernel;
import dev.limiter.engine.internal.kernel.FixedWindowKernel;
import dev.limiter.engine.internal.kernel.GcraKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.kernel.SlidingWindowKernel;
import dev.limiter.engine.internal.store.HeapSlots;
import dev.limiter.engine.internal.time.StalenessFloor;

/**
 * The engine's kernel for one key, applied by the engine's own store loop ({@code SlotStore} over
 * {@link HeapSlots}): the reference each Lua script is checked against. This is the only class of
 * the module that touches engine internals.
 *
 * <p>No staleness floor: the floor belongs to an in-process limiter (it bounds how far that
 * limiter's callers lag its clock), and a script decides as the kernel does for the time it is
 * given. So the reference runs with {@link StalenessFloor#NONE}, every caller acting at its own time.
 */
final class KernelReference {
    /** What one step decided, in the fields both implementations report. */
    record Step(String outcome, long remaining, long retryAfterNanos, long resetAfterNanos) {
        static Step of(RedisDecision d) {
            return new Step(d.outcome().name(), d.remaining(), d.retryAfterNanos(), d.resetAfterNanos());
        }
    }

    /** How many distinct members a cardinality reference can track. */
    static final int MEMBERS = 64;

    private final Kernel kernel;
    private final HeapSlots state;
    /** Cardinality only: one member word per member index, as the engine's second table holds them. */
    private final HeapSlots members = new HeapSlots(MEMBERS);
    private final Decision decision = new Decision();
    private long lastToken;

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
        state = new HeapSlots(kernel.stateWords());
    }

    /** Decides {@code permits} at {@code now} as the engine would (more than the kernel can grant: unsatisfiable). */
    Step step(long now, long permits) {
        if (permits > kernel.maxPermits()) {
            return new Step("UNSATISFIABLE", 0, RedisDecision.NEVER, RedisDecision.NEVER);
        }
        long next = state.acquire(kernel, 0, permits, now, StalenessFloor.NONE, decision);
        boolean granted = next != Kernel.DENIED;
        lastToken = granted ? kernel.token(next, now) : Kernel.DENIED;
        return new Step(granted ? "ALLOWED" : "LIMITED", decision.remaining(), decision.retryAfterNanos(),
                decision.resetAfterNanos());
    }

    /** @return the most permits the kernel grants one request; more is unsatisfiable */
    long maxPermits() {
        return kernel.maxPermits();
    }

    /** @return the denial the kernel's read-only check gives at {@code now}, or null when it would admit */
    Step peek(long now, long permits) {
        if (state.wouldAdmit(kernel, 0, permits, now, StalenessFloor.NONE, decision)) {
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
        state.refund(kernel, 0, permits, token, now);
    }

    /**
     * Admits member {@code index} (in [0, {@link #MEMBERS})) under the key, as the cardinality kernel
     * would; a member named by its own value is never a remapped pair, so its remap bits are 0.
     */
    Step admit(int index) {
        long token = state.admit((CardinalityKernel) kernel, 0, members, index, 0, decision);
        return new Step(token != Kernel.DENIED ? "ALLOWED" : "LIMITED", decision.remaining(), decision.retryAfterNanos(),
                decision.resetAfterNanos());
    }

    /** @return the member word of member {@code index}: its mark, or 0 when never admitted */
    long memberWord(int index) {
        return members.wordAcquire(index, 0);
    }

    /** @return the key's state words, in the order the scripts store them */
    long[] words() {
        long[] words = new long[kernel.stateWords()];
        for (int i = 0; i < words.length; i++) {
            words[i] = state.wordAcquire(0, i);
        }
        return words;
    }
}
