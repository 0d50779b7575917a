package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.LimitHandle;
import dev.limiter.Outcome;
import dev.limiter.RateLimiter;
import dev.limiter.engine.internal.kernel.GcraKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.TableView;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

/*
 * A hot token-bucket key served from per-thread leases of its emission slots.
 *
 * Slots. GCRA hands out time: a grant of p permits at time t takes the slots [u, u + p I) with
 * u = max(TAT, t), admitted iff u + p I - t <= tau (tau = burst I), and moves TAT to u + p I. So
 * every grant's slots lie in [t, t + tau], and slots are never handed out twice (TAT only grows,
 * by CAS). That is the whole proof of the guarantee: the grants stamped in [s, s + d] hold
 * disjoint slots inside [s, s + d + tau], so granted * I <= d + tau, i.e. granted <= burst + d / I.
 *
 * Lease. A thread that finds its lease spent takes L = leasePermits permits through the store's
 * own CAS (the single path's step, at its effective time): the slots [S, E), S = E - L I, E the TAT
 * it published. They are this thread's alone. It then grants p permits at effective time t from
 * them by the same rule, on a local TAT `next` confined to [S, E): u = max(next, t), admitted iff
 * u + p I <= E and u + p I - t <= tau; next = u + p I. Each local grant therefore holds disjoint
 * slots inside [t, t + tau], and the proof above holds word for word: the guarantee is exactly the
 * single path's, with concurrent callers, stale callers (t is the floor-clamped time, as for every
 * decision) and eviction (a state evicted at mark W had TAT <= W, so its leases end by W and no
 * grant at t >= W can take from them; a fresh state's slots start at t >= W).
 *
 * Cost: under-admission only. Slots of a lease that pass unused (u = max(next, t) skips them) are
 * lost to everyone: at most L permits per lease. When a lease cannot be taken (the key has fewer
 * than L permits left, the key is new and the table full, the key has an override, p > L) the
 * request goes down the single path and is decided exactly as a plain acquire, facts included.
 *
 * Thread-safety. Each thread's lease is its own (a ThreadLocal holding plain fields, read and
 * written by that thread only); the shared state is touched only through the store's CAS, which
 * orders the lease after every earlier grant on the key. A local grant reads the limiter's floor
 * (acquire) and nothing else shared, so threads on one hot key stop sharing a written cache line.
 */
/**
 * A handle on a hot token-bucket key whose threads each take permits ahead in leases and grant them
 * locally; the token bucket's guarantee holds exactly, at the cost of permits of a lease that
 * expire unused. Thread-safe.
 */
final class LeasedHandle implements LimitHandle {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private final OffHeapLimiter limiter;
    private final long key;
    private final long leasePermits;
    private final ThreadLocal<Lease> leases = ThreadLocal.withInitial(Lease::new);

    /**
     * One thread's leased slots [next, end) and the figures of the kernel they were taken under.
     * Written on every local grant, so it is padded by 64 bytes on each side: two threads' leases,
     * allocated close together, would otherwise share a cache line and every grant would take it
     * from the other core (the padding sits in superclasses, whose fields the JVM lays out first).
     */
    private static final class Lease extends LeaseFields {
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }

    /** The lease's own fields, after {@link LeasePadding}'s 64 bytes. */
    private abstract static class LeaseFields extends LeasePadding {
        long next;
        long end;
        long interval;
        long tau;
        boolean held;
    }

    /** 64 bytes ahead of a lease's fields. */
    private abstract static class LeasePadding {
        long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    LeasedHandle(OffHeapLimiter limiter, long key, long leasePermits) {
        this.limiter = limiter;
        this.key = key;
        this.leasePermits = leasePermits;
    }

    @Override
    public RateLimiter limiter() {
        return (RateLimiter) limiter;
    }

    @Override
    public boolean tryAcquire(long permits, long nowNanos, Decision into) {
        KeySpace s = limiter.open();
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (permits <= leasePermits) {
            Lease l = leases.get();
            if (take(l, permits, limiter.floor().effective(nowNanos), into)
                    || renew(s, l, nowNanos) && take(l, permits, limiter.floor().effective(nowNanos), into)) {
                return true;
            }
        }
        return limiter.steps().acquire(s, key, permits, nowNanos, into);
    }

    /** The local step: GCRA on the lease's own slots; see the comment above. */
    private boolean take(Lease l, long permits, long t, Decision into) {
        if (!l.held) {
            return false;
        }
        long u = Math.max(l.next, t);
        long cost = permits * l.interval;                    // <= leasePermits * I <= tau: exact
        if (u > l.end || l.end - u < cost || Long.compareUnsigned(u - t, l.tau - cost) > 0) {
            return false;
        }
        l.next = u + cost;
        if (into != null) {                                  // this thread's view: what its lease still holds
            DECISIONS.set(into, Outcome.ALLOWED, limiter.limit(), 0, (l.end - l.next) / l.interval, 0L, l.next - t);
        }
        return true;
    }

    /** Takes a new lease of leasePermits through the store's CAS. @return whether one was taken */
    private boolean renew(KeySpace s, Lease l, long now) {
        for (int tries = 0; tries < SlotSteps.ROOM_TRIES; tries++) {
            TableView v = s.view();
            int offset = s.find(v, key);
            if (offset == KeyTable.RETIRED) {
                continue;
            }
            if (offset < 0) {
                return false;                                // full: the single path decides
            }
            s.prepare(v, offset);
            Kernel k = limiter.kernelAt(offset);
            if (!(k instanceof GcraKernel) || leasePermits > k.maxPermits()) {
                return false;
            }
            long word = v.slots().acquire(k, offset, leasePermits, now, limiter.floor(), null);
            if (word == k.frozenWord()) {
                continue;                                    // moved by a rotation: resolve again
            }
            if (word == Kernel.DENIED) {
                return false;
            }
            GcraKernel g = (GcraKernel) k;
            l.interval = g.intervalNanos();
            l.tau = g.toleranceNanos();
            l.end = GcraKernel.arrivalTime(word);
            l.next = l.end - leasePermits * l.interval;
            l.held = true;
            return true;
        }
        return false;
    }
}
