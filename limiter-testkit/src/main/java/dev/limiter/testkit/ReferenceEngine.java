package dev.limiter.testkit;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A slow, obviously-correct {@link LimiterEngine} for tests: one lock, string keys in hash maps,
 * and the textbook definition of every algorithm (a sliding window keeps the full log of grants;
 * a token bucket's emission interval is ceil(T / N), as the guarantee states). Time must move
 * forward per key; leases and handles are not modelled. It lets layers above the engine be tested
 * independently of any engine's internals, and passes {@link LimiterEngineContract}.
 */
public final class ReferenceEngine implements LimiterEngine {
    private final Clock clock;
    private final Map<String, Ref> limiters = new LinkedHashMap<>();
    private boolean closed;

    /** @param limits the limits, each with a limiter of unbounded capacity */
    public ReferenceEngine(Clock clock, Collection<Limit> limits) {
        this.clock = clock;
        for (Limit l : limits) {
            limiters.put(l.name(), new Ref(l));
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized Limiter limiter(String name) {
        Ref r = limiters.get(name);
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
        if (closed) {
            throw new IllegalStateException("closed");
        }
        Decision d = new Decision();
        int denying = -1;
        long worstRetry = -1;
        int tightest = -1;
        long fewest = Long.MAX_VALUE;
        Decision tight = null;
        Decision deny = null;
        for (int i = 0; i < checks.size(); i++) {
            Ref r = (Ref) checks.limiter(i);
            boolean ok = r.evaluate(checks.stringKey(i).toString(), member(checks, i), checks.permits(i), now, d, false);
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
            Ref r = (Ref) checks.limiter(i);
            r.evaluate(checks.stringKey(i).toString(), member(checks, i), checks.permits(i), now, d, true);
            checks.token(i, r.limit.algorithm() == Algorithm.CONCURRENCY ? 1 : 0);
        }
        set(into, tight, tightest);
        return true;
    }

    private static String member(Checks checks, int i) {
        return checks.hasMember(i) ? checks.memberStringKey(i).toString() : null;
    }

    private static void set(Decision into, Decision from, int index) {
        if (into != null && from != null) {
            into.set(from.outcome(), from.limit(), index, from.remaining(), from.retryAfterNanos(),
                    from.resetAfterNanos());
        }
    }

    @Override
    public synchronized void releaseAll(Checks checks, long now) {
        for (int i = 0; i < checks.size(); i++) {
            Ref r = (Ref) checks.limiter(i);
            if (checks.token(i) != 0 && r.limit.algorithm() == Algorithm.CONCURRENCY) {
                long[] s = r.state.get(checks.stringKey(i).toString());
                s[0] -= checks.permits(i);
                checks.token(i, 0);
            }
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

    /** One limit: state per key, guarded by the engine's lock. */
    private final class Ref implements Limiter {
        final Limit limit;
        final Map<String, long[]> state = new HashMap<>();
        final Map<String, ArrayDeque<long[]>> logs = new HashMap<>();
        final Map<String, java.util.Set<String>> members = new HashMap<>();
        final Map<String, Long> overrides = new HashMap<>();

        Ref(Limit limit) {
            this.limit = limit;
        }

        boolean evaluate(String key, String member, long p, long now, Decision into, boolean commit) {
            long n = overrides.getOrDefault(key, limit.permits());
            Limit limit = n == this.limit.permits() ? this.limit : this.limit.withPermits(n);
            long t = limit.periodNanos();
            long[] s = state.computeIfAbsent(key, k -> new long[] {0, Long.MIN_VALUE});
            if (p > limit.maxPermitsPerRequest()) {
                into.set(Outcome.UNSATISFIABLE, limit, 0, 0, Decision.NEVER, 0);
                return false;
            }
            switch (limit.algorithm()) {
                case FIXED_WINDOW: {
                    long w = Math.floorDiv(now, t);
                    long count = s[1] == w ? s[0] : 0;
                    long end = (w + 1) * t - now;
                    if (count + p > n) {
                        into.set(Outcome.LIMITED, limit, 0, n - count, end, end);
                        return false;
                    }
                    if (commit) {
                        s[0] = count + p;
                        s[1] = w;
                    }
                    into.set(Outcome.ALLOWED, limit, 0, n - count - p, 0, end);
                    return true;
                }
                case TOKEN_BUCKET: {
                    long interval = Math.max(1, t / n + (t % n == 0 ? 0 : 1));
                    long tat = Math.max(s[1], now);
                    long next = tat + p * interval;
                    long tolerance = limit.burst() * interval;
                    if (next - now > tolerance) {
                        into.set(Outcome.LIMITED, limit, 0, Math.max(0, (tolerance - (tat - now)) / interval),
                                next - now - tolerance, tat - now);
                        return false;
                    }
                    if (commit) {
                        s[1] = next;
                    }
                    into.set(Outcome.ALLOWED, limit, 0, (tolerance - (next - now)) / interval, 0, next - now);
                    return true;
                }
                case SLIDING_WINDOW: {
                    ArrayDeque<long[]> log = logs.computeIfAbsent(key, k -> new ArrayDeque<>());
                    while (!log.isEmpty() && log.peekFirst()[0] <= now - t) {
                        log.pollFirst();
                    }
                    long used = 0;
                    for (long[] g : log) {
                        used += g[1];
                    }
                    long reset = log.isEmpty() ? 0 : log.peekLast()[0] + t - now;
                    if (used + p > n) {
                        long freed = 0;
                        long retry = 0;
                        for (long[] g : log) {
                            freed += g[1];
                            if (used - freed + p <= n) {
                                retry = g[0] + t - now;
                                break;
                            }
                        }
                        into.set(Outcome.LIMITED, limit, 0, n - used, retry, reset);
                        return false;
                    }
                    if (commit) {
                        log.addLast(new long[] {now, p});
                    }
                    into.set(Outcome.ALLOWED, limit, 0, n - used - p, 0, t);
                    return true;
                }
                case CARDINALITY: {
                    java.util.Set<String> set = members.computeIfAbsent(key, k -> new java.util.HashSet<>());
                    if (!set.contains(member) && set.size() >= n) {
                        into.set(Outcome.LIMITED, limit, 0, 0, Decision.NEVER, 0);
                        return false;
                    }
                    if (commit) {
                        set.add(member);
                    }
                    into.set(Outcome.ALLOWED, limit, 0, n - set.size() - (commit || set.contains(member) ? 0 : 1), 0, 0);
                    return true;
                }
                default: { // CONCURRENCY, QUOTA: a count against N
                    if (s[0] + p > n) {
                        // a quota waits for an operator; a concurrency limit for a release, at least 1 ns away
                        long retry = limit.algorithm() == Algorithm.QUOTA ? Decision.NEVER : 1;
                        into.set(Outcome.LIMITED, limit, 0, n - s[0], retry, retry);
                        return false;
                    }
                    if (commit) {
                        s[0] += p;
                    }
                    into.set(Outcome.ALLOWED, limit, 0, n - s[0] - (commit ? 0 : p), 0, 0);
                    return true;
                }
            }
        }

        @Override
        public Limit limit() {
            return limit;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public boolean tryAcquire(long key, long permits, long now, Decision into) {
            return tryAcquire(Long.toString(key), permits, now, into);
        }

        @Override
        public boolean tryAcquire(CharSequence key, long permits, long now, Decision into) {
            synchronized (ReferenceEngine.this) {
                if (permits < 1) {
                    throw new IllegalArgumentException("permits must be at least 1");
                }
                Decision d = into == null ? new Decision() : into;
                return evaluate(key.toString(), null, permits, now, d, true);
            }
        }

        @Override
        public boolean tryAdmit(CharSequence parent, CharSequence member, long now, Decision into) {
            synchronized (ReferenceEngine.this) {
                Decision d = into == null ? new Decision() : into;
                return evaluate(parent.toString(), member.toString(), 1, now, d, true);
            }
        }

        @Override
        public void override(CharSequence key, long permits) {
            synchronized (ReferenceEngine.this) {
                if (!limit.overridable()) {
                    throw new dev.limiter.FixedLimitException("limit '" + limit.name() + "' is fixed");
                }
                overrides.put(key.toString(), permits);
            }
        }

        @Override
        public boolean clearOverride(CharSequence key) {
            synchronized (ReferenceEngine.this) {
                return overrides.remove(key.toString()) != null;
            }
        }

        @Override
        public boolean tryAcquire(byte[] key, long permits, long now, Decision into) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Lease tryLease(long key, long permits, long now, Decision into) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Lease tryLease(CharSequence key, long permits, long now, Decision into) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LimitHandle handle(long key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LimitHandle handle(CharSequence key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized long keyCount() {
            return state.size();
        }

        @Override
        public long capacity() {
            return Long.MAX_VALUE;
        }
    }
}
