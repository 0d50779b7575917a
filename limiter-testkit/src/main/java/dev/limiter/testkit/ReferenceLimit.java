package dev.limiter.testkit;

import dev.limiter.Algorithm;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.FixedLimitException;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.Outcome;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One limit of the {@link ReferenceEngine}: state per key in hash maps, decided by the textbook
 * definition of its algorithm, every call under the engine's lock. The subclass of each kind
 * exposes the operations its {@link Limiter} type has.
 */
abstract class ReferenceLimit implements Limiter {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();

    final ReferenceEngine engine;
    final Limit limit;
    final Map<String, long[]> state = new HashMap<>();
    final Map<String, ArrayDeque<long[]>> logs = new HashMap<>();
    final Map<String, Set<String>> members = new HashMap<>();
    final Map<String, Long> overrides = new HashMap<>();

    ReferenceLimit(ReferenceEngine engine, Limit limit) {
        this.engine = engine;
        this.limit = limit;
    }

    /** @return the model of {@code limit}, an instance of its algorithm's limiter type */
    static ReferenceLimit of(ReferenceEngine engine, Limit limit) {
        switch (limit.algorithm()) {
            case QUOTA:
                return new ReferenceQuotaLimiter(engine, limit);
            case CONCURRENCY:
                return new ReferenceConcurrencyLimiter(engine, limit);
            case CARDINALITY:
                return new ReferenceCardinalityLimiter(engine, limit);
            default:
                return new ReferenceRateLimiter(engine, limit);
        }
    }

    /** Long, string and byte keys are three key spaces, as in the off-heap engine. */
    static String key(long key) {
        return "l:" + key;
    }

    static String key(CharSequence key) {
        return "s:" + Objects.requireNonNull(key, "key must not be null");
    }

    static String key(byte[] key) {
        return "b:" + HexFormat.of().formatHex(Objects.requireNonNull(key, "key must not be null"));
    }

    /** Decides and commits one request for {@code key} (and {@code member}, or null) under the engine's lock. */
    boolean decide(String key, String member, long permits, long now, Decision into) {
        synchronized (engine) {
            engine.checkOpen();
            if (permits < 1) {
                throw new IllegalArgumentException("permits must be at least 1, was " + permits);
            }
            return evaluate(key, member, permits, now, into == null ? new Decision() : into, true);
        }
    }

    /**
     * Decides {@code p} permits (or {@code member}'s admission) for {@code key} at {@code now} by the
     * textbook definition, recording the decision in {@code into}; changes the state only when
     * {@code commit}. Called under the engine's lock.
     */
    boolean evaluate(String key, String member, long p, long now, Decision into, boolean commit) {
        long n = overrides.getOrDefault(key, limit.permits());
        Limit limit = n == this.limit.permits() ? this.limit : this.limit.withPermits(n);
        long t = limit.periodNanos();
        long[] s = state.computeIfAbsent(key, k -> new long[] {0, Long.MIN_VALUE});
        if (p > limit.maxPermitsPerRequest()) {
            DECISIONS.set(into, Outcome.UNSATISFIABLE, limit, 0, 0, Decision.NEVER, 0);
            return false;
        }
        switch (limit.algorithm()) {
            case FIXED_WINDOW: {
                long w = Math.floorDiv(now, t);
                long count = s[1] == w ? s[0] : 0;
                long end = (w + 1) * t - now;
                if (count + p > n) {
                    DECISIONS.set(into, Outcome.LIMITED, limit, 0, n - count, end, end);
                    return false;
                }
                if (commit) {
                    s[0] = count + p;
                    s[1] = w;
                }
                DECISIONS.set(into, Outcome.ALLOWED, limit, 0, n - count - p, 0, end);
                return true;
            }
            case TOKEN_BUCKET: {
                long interval = Math.max(1, t / n + (t % n == 0 ? 0 : 1));
                long tat = Math.max(s[1], now);
                long next = tat + p * interval;
                long tolerance = limit.burst() * interval;
                if (next - now > tolerance) {
                    DECISIONS.set(into, Outcome.LIMITED, limit, 0, Math.max(0, (tolerance - (tat - now)) / interval),
                            next - now - tolerance, tat - now);
                    return false;
                }
                if (commit) {
                    s[1] = next;
                }
                DECISIONS.set(into, Outcome.ALLOWED, limit, 0, (tolerance - (next - now)) / interval, 0, next - now);
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
                    DECISIONS.set(into, Outcome.LIMITED, limit, 0, n - used, retry, reset);
                    return false;
                }
                if (commit) {
                    log.addLast(new long[] {now, p});
                }
                DECISIONS.set(into, Outcome.ALLOWED, limit, 0, n - used - p, 0, t);
                return true;
            }
            case CARDINALITY: {
                Set<String> set = members.computeIfAbsent(key, k -> new HashSet<>());
                if (!set.contains(member) && set.size() >= n) {
                    DECISIONS.set(into, Outcome.LIMITED, limit, 0, 0, Decision.NEVER, 0);
                    return false;
                }
                if (commit) {
                    set.add(member);
                }
                DECISIONS.set(into, Outcome.ALLOWED, limit, 0, n - set.size() - (commit || set.contains(member) ? 0 : 1), 0, 0);
                return true;
            }
            default: { // CONCURRENCY, QUOTA: a count against N
                if (s[0] + p > n) {
                    // a quota waits for an operator; a concurrency limit for a release, at least 1 ns away
                    long retry = limit.algorithm() == Algorithm.QUOTA ? Decision.NEVER : 1;
                    DECISIONS.set(into, Outcome.LIMITED, limit, 0, n - s[0], retry, retry);
                    return false;
                }
                if (commit) {
                    s[0] += p;
                }
                DECISIONS.set(into, Outcome.ALLOWED, limit, 0, n - s[0] - (commit ? 0 : p), 0, 0);
                return true;
            }
        }
    }

    /** An operator reset: the key (or parent) starts afresh. */
    void resetKey(String key) {
        synchronized (engine) {
            engine.checkOpen();
            state.remove(key);
            members.remove(key);
        }
    }

    @Override
    public Limit limit() {
        return limit;
    }

    @Override
    public Clock clock() {
        return engine.clock();
    }

    @Override
    public void override(long key, long permits) {
        overrideKey(key(key), permits);
    }

    @Override
    public void override(CharSequence key, long permits) {
        overrideKey(key(key), permits);
    }

    private void overrideKey(String key, long permits) {
        synchronized (engine) {
            engine.checkOpen();
            if (!limit.overridable()) {
                throw new FixedLimitException("limit '" + limit.name() + "' is fixed");
            }
            if (permits < 1 || permits > Limit.MAX_PERMITS) {
                throw new IllegalArgumentException("an override must be in [1, " + Limit.MAX_PERMITS + "], was "
                        + permits);
            }
            overrides.put(key, permits);
        }
    }

    @Override
    public boolean clearOverride(long key) {
        return clearKey(key(key));
    }

    @Override
    public boolean clearOverride(CharSequence key) {
        return clearKey(key(key));
    }

    private boolean clearKey(String key) {
        synchronized (engine) {
            engine.checkOpen();
            return overrides.remove(key) != null;
        }
    }

    @Override
    public long permitsFor(long key) {
        synchronized (engine) {
            return overrides.getOrDefault(key(key), limit.permits());
        }
    }

    @Override
    public long permitsFor(CharSequence key) {
        synchronized (engine) {
            return overrides.getOrDefault(key(key), limit.permits());
        }
    }

    @Override
    public long keyCount() {
        synchronized (engine) {
            return state.size();
        }
    }

    @Override
    public long capacity() {
        return Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "ReferenceLimit[" + limit + "]";
    }
}
