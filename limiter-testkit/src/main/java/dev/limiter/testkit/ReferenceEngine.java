package dev.limiter.testkit;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A slow, obviously-correct {@link LimiterEngine} for tests: one lock, keys as strings in hash maps,
 * and the textbook definition of every algorithm (a sliding window keeps the full log of grants;
 * a token bucket's emission interval is ceil(T / N), as the guarantee states). Time must move
 * forward per key; a lease counts until it is closed (the model never reclaims one by time). It
 * lets layers above the engine be tested independently of any engine's internals, and passes
 * {@link LimiterEngineContract}.
 */
public final class ReferenceEngine implements LimiterEngine {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private static final CheckRecords CHECKS = EngineAccess.checks();

    private final Clock clock;
    private final Map<String, ReferenceLimit> limiters = new LinkedHashMap<>();
    private boolean closed;

    /** @param limits the limits, each with a limiter of unbounded capacity */
    public ReferenceEngine(Clock clock, Collection<Limit> limits) {
        this.clock = clock;
        for (Limit l : limits) {
            limiters.put(l.name(), ReferenceLimit.of(this, l));
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized Limiter limiter(String name) {
        ReferenceLimit r = limiters.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no limit named '" + name + "'");
        }
        return r;
    }

    @Override
    public synchronized List<Limiter> limiters() {
        return new ArrayList<>(limiters.values());
    }

    @Override
    public synchronized boolean tryAcquireAll(Checks checks, long now, Decision into) {
        checkOpen();
        for (int i = 0; i < checks.size(); i++) {
            owned(checks, i);
        }
        Decision d = new Decision();
        int denying = -1;
        long worstRetry = -1;
        int tightest = -1;
        long fewest = Long.MAX_VALUE;
        Decision tight = null;
        Decision deny = null;
        for (int i = 0; i < checks.size(); i++) {
            ReferenceLimit r = owned(checks, i);
            boolean ok = r.evaluate(key(checks, i), member(checks, i), checks.permits(i), now, d, false);
            if (!ok && d.retryAfterNanos() > worstRetry) {
                denying = i;
                worstRetry = d.retryAfterNanos();
                deny = d.snapshot();
            } else if (ok && d.remaining() < fewest) {
                tightest = i;
                fewest = d.remaining();
                tight = d.snapshot();
            }
        }
        if (denying >= 0) {
            set(into, deny, denying);
            return false;
        }
        for (int i = 0; i < checks.size(); i++) {
            ReferenceLimit r = owned(checks, i);
            r.evaluate(key(checks, i), member(checks, i), checks.permits(i), now, d, true);
            CHECKS.token(checks, i, r.limit.algorithm() == Algorithm.CONCURRENCY ? 1 : 0);
        }
        set(into, tight, tightest);
        return true;
    }

    private ReferenceLimit owned(Checks checks, int i) {
        Limiter l = checks.limiter(i);
        if (!(l instanceof ReferenceLimit) || ((ReferenceLimit) l).engine != this) {
            throw new IllegalArgumentException("check " + i + ": limiter '" + l.limit().name()
                    + "' belongs to another engine; nothing was consumed");
        }
        return (ReferenceLimit) l;
    }

    private static String key(Checks checks, int i) {
        return checks.hasStringKey(i) ? ReferenceLimit.key(checks.stringKey(i)) : ReferenceLimit.key(checks.longKey(i));
    }

    private static String member(Checks checks, int i) {
        if (!checks.hasMember(i)) {
            return null;
        }
        return checks.hasStringKey(i) ? ReferenceLimit.key(checks.memberStringKey(i))
                : ReferenceLimit.key(checks.memberLongKey(i));
    }

    private static void set(Decision into, Decision from, int index) {
        if (into != null && from != null) {
            DECISIONS.set(into, from.outcome(), from.limit(), index, from.remaining(), from.retryAfterNanos(),
                    from.resetAfterNanos());
        }
    }

    @Override
    public synchronized void releaseAll(Checks checks, long now) {
        checkOpen();
        for (int i = 0; i < checks.size(); i++) {
            ReferenceLimit r = owned(checks, i);
            if (CHECKS.token(checks, i) != 0 && r instanceof ReferenceConcurrencyLimiter) {
                ((ReferenceConcurrencyLimiter) r).release(key(checks, i), checks.permits(i));
                CHECKS.token(checks, i, 0);
            }
        }
    }

    /** @throws IllegalStateException when the engine is closed */
    synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
