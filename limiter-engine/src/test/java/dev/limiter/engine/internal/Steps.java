package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.ConcurrencyKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.store.OffHeapSlots;
import dev.limiter.engine.internal.time.StalenessFloor;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Kernel tests' view of one off-heap key: each call runs the kernel's pure step through the
 * off-heap store's loop, with no staleness floor (the kernel alone is under test).
 */
public final class Steps {
    private Steps() {
    }

    private static OffHeapSlots at(UnsafeBuffer b) {
        return new OffHeapSlots(b);
    }

    /** @return whether the permits were taken */
    public static boolean tryAcquire(Kernel k, UnsafeBuffer b, int offset, long permits, long now, Decision d) {
        return acquire(k, b, offset, permits, now, d) != Kernel.DENIED;
    }

    /** @return the grant's token, or {@link Kernel#DENIED} */
    public static long acquire(Kernel k, UnsafeBuffer b, int offset, long permits, long now, Decision d) {
        long next = at(b).acquire(k, offset, permits, now, StalenessFloor.NONE, d);
        return next == Kernel.DENIED ? next : k.token(next, now);
    }

    /** @return 0 when the permits would be granted, else the retry-after; writes nothing */
    public static long peek(Kernel k, UnsafeBuffer b, int offset, long permits, long now, Decision d) {
        Decision facts = d != null ? d : new Decision();
        return at(b).wouldAdmit(k, offset, permits, now, StalenessFloor.NONE, facts) ? 0L
                : Math.max(1L, facts.retryAfterNanos());
    }

    /** Gives back a grant. */
    public static void refund(Kernel k, UnsafeBuffer b, int offset, long permits, long token, long now) {
        at(b).refund(k, offset, permits, token, now);
    }

    /** Releases a lease. */
    public static void release(ConcurrencyKernel k, UnsafeBuffer b, int offset, long permits, long token, long now) {
        at(b).refund(k, offset, permits, token, now);
    }

    /** An operator reset. */
    public static void reset(QuotaKernel k, UnsafeBuffer b, int offset) {
        at(b).reset(k, offset);
    }

    /** @return permits used in the key's current epoch */
    public static long used(QuotaKernel k, UnsafeBuffer b, int offset) {
        return QuotaKernel.used(b.getLongVolatile(offset));
    }

    /** @return permits counted as held */
    public static long held(ConcurrencyKernel k, UnsafeBuffer b, int offset) {
        return k.held(b.getLongVolatile(offset));
    }

    /** @return a non-zero token when the member is admitted, else {@link Kernel#DENIED} */
    public static long admit(CardinalityKernel k, UnsafeBuffer parents, int offset, UnsafeBuffer members,
                             int memberOffset, Decision d) {
        return at(parents).admit(k, offset, at(members), memberOffset, 0, d);
    }

    /** @return 0 when the member would be admitted, else {@link Decision#NEVER} */
    public static long peekMember(CardinalityKernel k, UnsafeBuffer parents, int offset, UnsafeBuffer members,
                                  int memberOffset, Decision d) {
        return at(parents).wouldAdmitMember(k, offset, at(members), memberOffset, 0, d) ? 0L : Decision.NEVER;
    }
}
