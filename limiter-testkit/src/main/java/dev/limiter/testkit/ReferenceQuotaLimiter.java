package dev.limiter.testkit;

import dev.limiter.Limit;
import dev.limiter.QuotaLimiter;

/** A quota limit of the {@link ReferenceEngine}: a reset forgets the key's total. */
final class ReferenceQuotaLimiter extends ReferenceRateLimiter implements QuotaLimiter {

    ReferenceQuotaLimiter(ReferenceEngine engine, Limit limit) {
        super(engine, limit);
    }

    @Override
    public void reset(long key) {
        resetKey(key(key));
    }

    @Override
    public void reset(CharSequence key) {
        resetKey(key(key));
    }
}
