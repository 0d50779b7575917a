package dev.limiter.redis;

import dev.limiter.CardinalityLimiter;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;
import dev.limiter.QuotaLimiter;
import dev.limiter.RateLimiter;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine API ({@link LimiterEngine}, {@link Limiter}) over a {@link RedisLimiter} whose limits
 * all run in {@link TimeMode#CALLER} mode, so that the testkit's engine contract can run against the
 * scripts. The "now" a caller passes is handed to the limiter through a per-thread clock, read on the
 * caller's thread when the request is built. Engines share the caller's connection; each has its own
 * key prefix, so engines made for different traces never share state.
 *
 * <p>What Redis has no counterpart for fails loudly: a decision Redis could not make (an
 * {@link IllegalStateException} carrying the cause, as the engine has no outcome for it), a
 * composite over different keys, permit counts or member checks, {@link Limiter#keyCount()} and
 * {@link Limiter#capacity()} (the state lives in Redis, not in a table of this process), and
 * {@link LimiterEngine#releaseAll} (composite decisions here hold no leases).
 */
final class RedisBackedEngine implements LimiterEngine {
    private static final AtomicLong ENGINES = new AtomicLong();
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();

    private final Clock clock;
    private final StatefulRedisConnection<String, String> connection;
    private final ThreadLocal<long[]> now = ThreadLocal.withInitial(() -> new long[1]);
    private final RedisLimiter redis;
    private final Map<String, BackedLimiter> limiters = new LinkedHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    RedisBackedEngine(StatefulRedisConnection<String, String> connection, Clock clock, List<Limit> limits) {
        this.clock = clock;
        this.connection = connection;
        RedisLimiter.Builder builder = RedisLimiter.builder().connection(connection)
                .keyPrefix("contract-" + ENGINES.incrementAndGet() + ":")
                .clock(() -> now.get()[0]);
        for (Limit limit : limits) {
            builder.limit(limit, TimeMode.CALLER);
            limiters.put(limit.name(), backed(limit));
        }
        this.redis = builder.build();
    }

    private BackedLimiter backed(Limit limit) {
        switch (limit.algorithm()) {
            case QUOTA:
                return new BackedQuotaLimiter(limit);
            case CONCURRENCY:
                return new BackedConcurrencyLimiter(limit);
            case CARDINALITY:
                return new BackedCardinalityLimiter(limit);
            default:
                return new BackedRateLimiter(limit);
        }
    }

    private RedisDecision decided(RedisDecision d, Decision into, int checkIndex) {
        Outcome outcome;
        switch (d.outcome()) {
            case ALLOWED:
                outcome = Outcome.ALLOWED;
                break;
            case LIMITED:
                outcome = Outcome.LIMITED;
                break;
            case UNSATISFIABLE:
                outcome = Outcome.UNSATISFIABLE;
                break;
            default:
                throw new IllegalStateException("Redis did not decide: " + d, d.failure().orElse(null));
        }
        if (into != null) {
            DECISIONS.set(into, outcome, d.limit(), checkIndex, d.remaining(), d.retryAfterNanos(), d.resetAfterNanos());
        }
        return d;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Limiter limiter(String limitName) {
        BackedLimiter l = limiters.get(limitName);
        if (l == null) {
            throw new IllegalArgumentException("no limit named '" + limitName + "'");
        }
        return l;
    }

    @Override
    public List<Limiter> limiters() {
        return List.copyOf(new ArrayList<Limiter>(limiters.values()));
    }

    /** All checks must name one key and one permit count: a Redis composite is one key's limits. */
    @Override
    public boolean tryAcquireAll(Checks checks, long nowNanos, Decision into) {
        if (checks.size() == 0) {
            throw new IllegalArgumentException("no checks");
        }
        String key = keyOf(checks, 0);
        long permits = checks.permits(0);
        String[] names = new String[checks.size()];
        for (int i = 0; i < checks.size(); i++) {
            if (checks.hasMember(i) || !keyOf(checks, i).equals(key) || checks.permits(i) != permits) {
                throw new UnsupportedOperationException("a Redis composite decides one key's limits for one permit"
                        + " count; check " + i + " differs");
            }
            names[i] = checks.limiter(i).limit().name();
        }
        now.get()[0] = nowNanos;
        RedisDecision d = redis.acquireAllAsync(key, permits, names).toCompletableFuture().join();
        int index = 0;
        while (!names[index].equals(d.limit().name())) {
            index++;
        }
        return decided(d, into, index).allowed();
    }

    private static String keyOf(Checks checks, int i) {
        return checks.hasStringKey(i) ? stringKey(checks.stringKey(i)) : longKey(checks.longKey(i));
    }

    @Override
    public void releaseAll(Checks checks, long nowNanos) {
        throw new UnsupportedOperationException("Redis composite decisions hold no leases");
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            redis.close();
        }
    }

    /** Long, string and byte keys are three key spaces, as in the engine. */
    private static String longKey(long key) {
        return "l" + key;
    }

    private static String stringKey(CharSequence key) {
        return "s" + key;
    }

    private static String bytesKey(byte[] key) {
        return "b" + HexFormat.of().formatHex(key);
    }

    /** What every kind shares: the limit, and a decision through the Redis limiter at the caller's "now". */
    private abstract class BackedLimiter implements Limiter {
        final Limit limit;

        BackedLimiter(Limit limit) {
            this.limit = limit;
        }

        boolean acquire(String key, long permits, long nowNanos, Decision into) {
            now.get()[0] = nowNanos;
            return decided(redis.acquire(limit.name(), key, permits), into, 0).allowed();
        }

        /** An operator reset: the key's state is deleted, as if it had never been seen. */
        void deleteState(String... redisKeys) {
            connection.sync().del(redisKeys);
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
        public long keyCount() {
            throw new UnsupportedOperationException("keys live in Redis: this process keeps no table to count");
        }

        @Override
        public long capacity() {
            throw new UnsupportedOperationException("keys live in Redis: this process keeps no table with a capacity");
        }
    }

    /** Token-bucket and window limits. */
    private class BackedRateLimiter extends BackedLimiter implements RateLimiter {
        BackedRateLimiter(Limit limit) {
            super(limit);
        }

        @Override
        public boolean tryAcquire(long key, long permits, long nowNanos, Decision into) {
            return acquire(longKey(key), permits, nowNanos, into);
        }

        @Override
        public boolean tryAcquire(CharSequence key, long permits, long nowNanos, Decision into) {
            return acquire(stringKey(key), permits, nowNanos, into);
        }

        @Override
        public boolean tryAcquire(byte[] key, long permits, long nowNanos, Decision into) {
            return acquire(bytesKey(key), permits, nowNanos, into);
        }

        @Override
        public LimitHandle handle(long key) {
            return handleFor(longKey(key));
        }

        @Override
        public LimitHandle handle(CharSequence key) {
            return handleFor(stringKey(key));
        }

        private LimitHandle handleFor(String key) {
            BackedRateLimiter self = this;
            return new LimitHandle() {
                @Override
                public RateLimiter limiter() {
                    return self;
                }

                @Override
                public boolean tryAcquire(long permits, long nowNanos, Decision into) {
                    return acquire(key, permits, nowNanos, into);
                }
            };
        }
    }

    /** Quota limits: a reset deletes the key's total. */
    private final class BackedQuotaLimiter extends BackedRateLimiter implements QuotaLimiter {
        BackedQuotaLimiter(Limit limit) {
            super(limit);
        }

        @Override
        public void reset(long key) {
            deleteState(redis.redisKey(limit.name(), longKey(key)));
        }

        @Override
        public void reset(CharSequence key) {
            deleteState(redis.redisKey(limit.name(), stringKey(key)));
        }
    }

    /** Concurrency limits: leases released through the Redis limiter. */
    private final class BackedConcurrencyLimiter extends BackedLimiter implements ConcurrencyLimiter {
        BackedConcurrencyLimiter(Limit limit) {
            super(limit);
        }

        private Lease lease(String key, long permits, long nowNanos, Decision into) {
            now.get()[0] = nowNanos;
            RedisDecision d = decided(redis.acquire(limit.name(), key, permits), into, 0);
            return d.allowed() ? new BackedLease(this, d.lease().orElseThrow()) : null;
        }

        @Override
        public Lease tryLease(long key, long permits, long nowNanos, Decision into) {
            return lease(longKey(key), permits, nowNanos, into);
        }

        @Override
        public Lease tryLease(CharSequence key, long permits, long nowNanos, Decision into) {
            return lease(stringKey(key), permits, nowNanos, into);
        }
    }

    /** Cardinality limits: a reset deletes the parent's count and its member set. */
    private final class BackedCardinalityLimiter extends BackedLimiter implements CardinalityLimiter {
        BackedCardinalityLimiter(Limit limit) {
            super(limit);
        }

        private boolean admit(String parent, String member, long nowNanos, Decision into) {
            now.get()[0] = nowNanos;
            RedisDecision d = redis.admitAsync(limit.name(), parent, member).toCompletableFuture().join();
            return decided(d, into, 0).allowed();
        }

        @Override
        public boolean tryAdmit(CharSequence parent, CharSequence member, long nowNanos, Decision into) {
            return admit(stringKey(parent), member.toString(), nowNanos, into);
        }

        @Override
        public boolean tryAdmit(long parent, long member, long nowNanos, Decision into) {
            return admit(longKey(parent), longKey(member), nowNanos, into);
        }

        @Override
        public void reset(long parent) {
            resetParent(longKey(parent));
        }

        @Override
        public void reset(CharSequence parent) {
            resetParent(stringKey(parent));
        }

        private void resetParent(String parent) {
            String parentKey = redis.redisKey(limit.name(), parent);
            deleteState(parentKey, CardinalityScript.membersKey(parentKey));
        }
    }

    /** A concurrency grant: {@link #close()} gives its permits back once. */
    private final class BackedLease implements Lease {
        private final BackedConcurrencyLimiter limiter;
        private final RedisLease lease;
        private final AtomicBoolean held = new AtomicBoolean(true);

        BackedLease(BackedConcurrencyLimiter limiter, RedisLease lease) {
            this.limiter = limiter;
            this.lease = lease;
        }

        @Override
        public ConcurrencyLimiter limiter() {
            return limiter;
        }

        @Override
        public long permits() {
            return lease.permits();
        }

        @Override
        public boolean isHeld() {
            return held.get();
        }

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                redis.releaseAsync(lease).toCompletableFuture().join();
            }
        }
    }
}
