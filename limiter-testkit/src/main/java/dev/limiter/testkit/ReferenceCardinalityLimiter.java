package dev.limiter.testkit;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Decision;
import dev.limiter.Limit;

import java.util.Objects;

/** A cardinality limit of the {@link ReferenceEngine}: each parent's members in a set. */
final class ReferenceCardinalityLimiter extends ReferenceLimit implements CardinalityLimiter {

    ReferenceCardinalityLimiter(ReferenceEngine engine, Limit limit) {
        super(engine, limit);
    }

    @Override
    public boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
        return decide(key(parent), key(member), 1, nowNanos, into);
    }

    @Override
    public boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
        Objects.requireNonNull(member, "member must not be null");
        return decide(key(parent), key(member), 1, nowNanos, into);
    }

    @Override
    public void reset(long parent) {
        resetKey(key(parent));
    }

    @Override
    public void reset(CharSequence parent) {
        resetKey(key(parent));
    }
}
