package dev.limiter.engine.internal;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import org.agrona.concurrent.AtomicBuffer;

/*
 * Quota: a total that never replenishes by itself; only an operator resets it (reset) or raises it
 * (a per-key override, see OffHeapLimiter).
 *
 * State word:
 *
 *    63            41 40                     0
 *   +----------------+------------------------+
 *   | epoch (23 bits)|  used (41 bits)        |
 *   +----------------+------------------------+
 *
 * used <= 2^40 = Limit.MAX_PERMITS always fits, so a raise never needs a new layout. The epoch
 * counts operator resets: a reset CASes (e, used) -> (e+1, 0), and a refund (composite decisions)
 * subtracts only while the epoch is the one it was granted in, so a permit consumed before a reset
 * is never handed back into the fresh total. All zero = a key never seen (epoch 0, nothing used).
 *
 * Guarantee: between two resets, the permits granted to a key total at most N (its current limit).
 *
 * Memory ordering: read with getLongVolatile, written only by compareAndSetLong; a denial writes
 * nothing. One word, so every decision is one linearisable CAS.
 */
/**
 * The quota kernel: total granted &le; N until an operator resets the key (or raises N); one 64-bit
 * word per key (24-byte slot, 30 bytes per key of capacity).
 */
public class QuotaKernel extends Kernel {
    static final int USED_BITS = 41;
    static final long USED_MASK = (1L << USED_BITS) - 1;
    static final long EPOCH_UNIT = 1L << USED_BITS;

    /** The permits (or members) one key may hold in total. */
    protected final long permits;

    public QuotaKernel(Limit limit) {
        super(limit);
        this.permits = limit.permits();
    }

    @Override
    public int stateWords() {
        return 1;
    }

    @Override
    public boolean tryAcquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        return acquire(buffer, offset, p, now, into) != DENIED;
    }

    @Override
    public long acquire(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            long used = word & USED_MASK;
            if (used + p > permits) {
                deny(into, used);
                return DENIED;
            }
            long next = word + p;
            if (buffer.compareAndSetLong(offset, word, next)) {
                if (into != null) {
                    into.set(Outcome.ALLOWED, limit, 0, permits - used - p, 0L, Decision.NEVER);
                }
                return next;
            }
        }
    }

    @Override
    public long peek(AtomicBuffer buffer, int offset, long p, long now, Decision into) {
        long used = buffer.getLongVolatile(offset) & USED_MASK;
        if (used + p <= permits) {
            return 0L;
        }
        deny(into, used);
        return Decision.NEVER;
    }

    /** A quota is exhausted until an operator acts: retry-after is {@link Decision#NEVER}. */
    protected final void deny(Decision into, long used) {
        if (into != null) {
            into.set(Outcome.LIMITED, limit, 0, Math.max(0, permits - used), Decision.NEVER, Decision.NEVER);
        }
    }

    /** Exact: subtracts from the same epoch's total; after a reset there is nothing to give back. */
    @Override
    public void refund(AtomicBuffer buffer, int offset, long p, long token, long now) {
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            if ((word & ~USED_MASK) != (token & ~USED_MASK)) {
                return;
            }
            long back = Math.min(p, word & USED_MASK);
            if (back == 0 || buffer.compareAndSetLong(offset, word, word - back)) {
                return;
            }
        }
    }

    /** The operator's reset: the key starts a fresh total (a new epoch) with nothing used. */
    public void reset(AtomicBuffer buffer, int offset) {
        for (;;) {
            long word = buffer.getLongVolatile(offset);
            if (buffer.compareAndSetLong(offset, word, (word & ~USED_MASK) + EPOCH_UNIT)) {
                return;
            }
        }
    }

    /** @return the permits used in the current epoch */
    public long used(AtomicBuffer buffer, int offset) {
        return buffer.getLongVolatile(offset) & USED_MASK;
    }

    @Override
    public Kernel withLimit(Limit override) {
        return new QuotaKernel(override);
    }

    @Override
    public boolean isIdle(AtomicBuffer buffer, int offset, long now) {
        return buffer.getLongVolatile(offset) == 0;
    }
}
