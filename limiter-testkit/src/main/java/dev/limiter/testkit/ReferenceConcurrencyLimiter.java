package dev.limiter.testkit;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;

/**
 * A concurrency limit of the {@link ReferenceEngine}: a key's count of held permits. A lease counts
 * until it is closed; the model never reclaims one by time (it is the strict reading of the
 * guarantee: an engine that reclaims after the hold time grants at least as much).
 */
final class ReferenceConcurrencyLimiter extends ReferenceLimit implements ConcurrencyLimiter {

    ReferenceConcurrencyLimiter(ReferenceEngine engine, Limit limit) {
        super(engine, limit);
    }

    @Override
    public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
        return lease(key(key), permits, nowNanos, into);
    }

    @Override
    public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
        return lease(key(key), permits, nowNanos, into);
    }

    private Lease lease(String key, long permits, long nowNanos, Decision into) {
        return decide(key, null, permits, nowNanos, into) ? new Held(key, permits) : null;
    }

    /** Gives a key's permits back (after a lease or a composite check), under the engine's lock. */
    void release(String key, long permits) {
        synchronized (engine) {
            long[] s = state.get(key);
            if (s != null) {
                s[0] -= permits;
            }
        }
    }

    /** Permits held until the first {@link #close()}. */
    private final class Held implements Lease {
        private final String key;
        private final long permits;
        private boolean held = true;

        Held(String key, long permits) {
            this.key = key;
            this.permits = permits;
        }

        @Override
        public ConcurrencyLimiter limiter() {
            return ReferenceConcurrencyLimiter.this;
        }

        @Override
        public long permits() {
            return permits;
        }

        @Override
        public boolean isHeld() {
            synchronized (engine) {
                return held;
            }
        }

        @Override
        public void close() {
            synchronized (engine) {
                if (!held) {
                    return;
                }
                held = false;
                if (!engine.isClosed()) {
                    release(key, permits);
                }
            }
        }
    }
}
