package dev.limiter.testkit;

import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.RateLimiter;

/** A token-bucket or window limit of the {@link ReferenceEngine}; a handle is its key, kept. */
class ReferenceRateLimiter extends ReferenceLimit implements RateLimiter {

    ReferenceRateLimiter(ReferenceEngine engine, Limit limit) {
        super(engine, limit);
    }

    @Override
    public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
        return decide(key(key), null, permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
        return decide(key(key), null, permits, nowNanos, into);
    }

    @Override
    public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
        return decide(key(key), null, permits, nowNanos, into);
    }

    @Override
    public LimitHandle handle(long key) {
        return handleOf(key(key));
    }

    @Override
    public LimitHandle handle(CharSequence key) {
        return handleOf(key(key));
    }

    private LimitHandle handleOf(String key) {
        synchronized (engine) {
            engine.checkOpen();
        }
        return new LimitHandle() {
            @Override
            public RateLimiter limiter() {
                return ReferenceRateLimiter.this;
            }

            @Override
            public boolean tryAcquire(long permits, long nowNanos, Decision into) {
                return decide(key, null, permits, nowNanos, into);
            }
        };
    }
}
