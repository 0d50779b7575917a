package dev.limiter.redis;

import dev.limiter.Algorithm;
import dev.limiter.LimiterEngineFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/*
 * One instance's view of limits shared by a fleet through Redis: local permit leasing and a failure
 * mode on top of a RedisLimiter's scripts.
 *
 * Request path (acquireAsync / tryAcquire), for one limit and key at local time s:
 *   1. leased limit, current batch (or the one reserved ahead) grants the permits at s
 *                                                               -> LEASE, no round trip; a grant
 *      that leaves half the batch size starts reserving the next batch (LeasedKey)
 *   2. leased limit, batch remembers a Redis denial covering s  -> LEASE (LIMITED), no round trip
 *   3. degraded (BackendHealth)                                 -> the failure mode, no round trip
 *   4. leased limit: reserve a new batch (single flight per key, LeasedKey), the request takes its
 *      permits first; the reservation's denial is the request's; other requests that waited for
 *      it try the new batch once, else ask Redis directly
 *   5. otherwise one EVALSHA at time s (RedisLimiter's own script)
 * A request Redis did not decide (time-out, refused, error) marks the backend degraded and is
 * answered by the failure mode: FAIL_CLOSED denies (BACKEND_UNAVAILABLE), FAIL_OPEN_LOCAL decides
 * with the local limit of N / instances (LocalFallback). No path throws into the caller for a
 * backend failure.
 *
 * Guarantee with leasing: a batch is valid only for decisions the Redis state already counted
 * where the algorithm counts them (LeaseScript, WindowBatch, GcraBatch), so the fleet never grants
 * more than N in the algorithm's sense. The cost is under-admission: permits of a batch that
 * expire ungranted, at most 2 * maxBatch per instance and key per batch lifetime (a window, a
 * sub-window, or the reserved stretch of a token bucket): the current batch and the one reserved ahead.
 *
 * The decision time is read once per request and used for the local batch, the script and the
 * fallback alike, so a trace of (time, grants) is exactly what was decided.
 */
/**
 * Limits shared by a fleet of instances through Redis, with opt-in local permit leasing and a
 * configurable failure mode; thread-safe.
 *
 * <pre>{@code
 * FleetLimiter fleet = FleetLimiter.builder(redisLimiter)
 *         .lease("api", 64)                                  // up to 64 permits per reservation
 *         .failureMode(FailureMode.FAIL_OPEN_LOCAL, 3)       // 3 instances share the limit
 *         .build();
 * if (fleet.tryAcquire("api", "user-42", 1)) { serve(); }
 * }</pre>
 */
public final class FleetLimiter implements AutoCloseable {
    private final RedisLimiter redis;
    private final RedisScripts scripts;
    private final long graceMillis;
    private final Map<String, FleetRoute> routes;
    private final FailureMode failureMode;
    private final BackendHealth health;
    private final LongAdder redisDecisions = new LongAdder();
    private final LongAdder leasedGrants = new LongAdder();
    private final LongAdder cachedDenials = new LongAdder();
    private final LongAdder reservations = new LongAdder();
    private final LongAdder fallbackDecisions = new LongAdder();

    private FleetLimiter(Builder b, Map<String, FleetRoute> routes) {
        this.redis = b.redis;
        this.scripts = redis.scripts();
        this.graceMillis = redis.graceMillis();
        this.routes = Map.copyOf(routes);
        this.failureMode = b.failureMode;
        this.health = new BackendHealth(redis.connection(), b.probeInterval.toNanos(), b.probeTimeout.toNanos());
    }

    /** @return a builder over {@code redis}'s token-bucket, window and quota limits; no leasing, FAIL_CLOSED */
    public static Builder builder(RedisLimiter redis) {
        return new Builder(redis);
    }

    /**
     * Asks for {@code permits} of {@code limitName} for {@code key}, from a leased batch when it can.
     *
     * @return a stage that always completes normally, within the Redis limiter's time-out: ALLOWED,
     *     LIMITED, UNSATISFIABLE, or BACKEND_UNAVAILABLE (FAIL_CLOSED only); {@link RedisDecision#source()}
     *     says who decided. For a leased grant, remaining and reset-after describe the local batch.
     * @throws IllegalArgumentException for a limit this limiter does not decide, a null or empty key,
     *     or permits &lt; 1 (nothing is sent)
     */
    public CompletionStage<RedisDecision> acquireAsync(String limitName, String key, long permits) {
        FleetRoute r = route(limitName, key, permits);
        if (permits > r.script.maxPermits()) {
            return CompletableFuture.completedFuture(new RedisDecision(RedisOutcome.UNSATISFIABLE, r.limit(), 0,
                    RedisDecision.NEVER, RedisDecision.NEVER, null, null));
        }
        long s = r.now();
        LeasedKey lk = r.leased(key);
        if (lk != null) {
            RedisDecision local = fromKey(r, lk, key, s, permits);
            if (local != null) {
                return CompletableFuture.completedFuture(local);
            }
        }
        if (health.degraded()) {
            return CompletableFuture.completedFuture(fallback(r, key, permits, s, r.degradedDenial));
        }
        return lk != null ? reserve(r, lk, key, s, permits) : direct(r, key, s, permits);
    }

    /**
     * Blocking form of {@link #acquireAsync}, reduced to its answer; a grant from a leased batch
     * takes no lock, allocates nothing and makes no round trip.
     *
     * @return whether the permits were granted
     * @throws IllegalArgumentException as {@link #acquireAsync}
     */
    public boolean tryAcquire(String limitName, String key, long permits) {
        FleetRoute r = routes.get(limitName);
        LeasedKey lk = r == null || key == null || permits < 1 ? null : r.existing(key);
        PermitBatch b = lk == null ? null : lk.batch;
        if (b != null) {
            long s = r.now();
            long left = b.tryTake(s, permits);
            if (left >= 0) {
                leasedGrants.increment();
                if (left <= lk.size() >> 1) {
                    reserveAhead(r, lk, key, s);
                }
                return true;
            }
        }
        return acquireAsync(limitName, key, permits).toCompletableFuture().join().allowed();
    }

    private FleetRoute route(String limitName, String key, long permits) {
        redis.redisKey(limitName, key);                      // unknown limit, null or empty key
        FleetRoute r = routes.get(limitName);
        if (r == null) {
            throw new IllegalArgumentException("limit '" + limitName + "' is not decided by a FleetLimiter"
                    + " (concurrency and cardinality limits are: use RedisLimiter)");
        }
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        return r;
    }

    /**
     * @return the local decision for the key at s from its batch (promoting the batch reserved ahead
     *     when the current one cannot grant), or null when Redis must be asked
     */
    private RedisDecision fromKey(FleetRoute r, LeasedKey lk, String key, long s, long permits) {
        PermitBatch b = lk.batch;
        RedisDecision d = fromBatch(r, b, s, permits);
        if (d == null && b != null) {
            PermitBatch n = lk.promote(b);
            d = n == null ? null : fromBatch(r, n, s, permits);
        }
        if (d != null && d.allowed() && d.remaining() <= lk.size() >> 1) {
            reserveAhead(r, lk, key, s);
        }
        return d;
    }

    /** @return the local decision from {@code b} at s, or null when Redis must be asked */
    private RedisDecision fromBatch(FleetRoute r, PermitBatch b, long s, long permits) {
        if (b == null) {
            return null;
        }
        long left = b.tryTake(s, permits);
        if (left >= 0) {
            leasedGrants.increment();
            return new RedisDecision(RedisOutcome.ALLOWED, r.limit(), left, 0L, b.spanLeft(s), null, null,
                    RedisDecision.Source.LEASE);
        }
        if (b.denies(s, permits)) {
            cachedDenials.increment();
            RedisDecision denial = ((DeniedBatch) b).denial();
            return new RedisDecision(RedisOutcome.LIMITED, r.limit(), denial.remaining(), Math.max(1L, b.spanLeft(s)),
                    denial.resetAfterNanos(), null, null, RedisDecision.Source.LEASE);
        }
        return null;
    }

    /** Starts reserving the key's next batch while the current one still grants; nobody waits for it. */
    private void reserveAhead(FleetRoute r, LeasedKey lk, String key, long s) {
        if (lk.next != null || lk.pending.get() != null || health.isDegraded()) {
            return;
        }
        CompletableFuture<PermitBatch> mine = new CompletableFuture<>();
        if (!lk.pending.compareAndSet(null, mine)) {
            return;
        }
        send(r, key, s, 1, lk.nextSize(s, r.maxBatch, true), 0).thenAccept(res -> {
            if (res.batch() == null) {
                health.failed();
            } else {
                lk.next = res.batch();                       // a denial too: it answers once the batch runs out
            }
            lk.pending.set(null);
            mine.complete(res.batch());
        });
    }

    /** Sends one reservation of up to {@code want} permits for a request of {@code need}, of which it takes {@code taken}. */
    private CompletionStage<LeaseScript.Reservation> send(FleetRoute r, String key, long s, long need, long want, long taken) {
        reservations.increment();
        long sentAt = System.nanoTime();
        return scripts.call(r.lease, redis.redisKey(r.limit().name(), key),
                r.lease.arguments(r.time(s), graceMillis, want, need), reply -> {
                    long receivedAt = System.nanoTime();
                    long redisNow = LimitScript.word(reply, 1);
                    long lo = r.serverTime ? redisNow - receivedAt : 0;
                    long hi = r.serverTime ? redisNow - sentAt : 0;
                    return r.lease.reservation(reply, need, taken, key, lo, hi);
                }, failure -> new LeaseScript.Reservation(RedisDecision.unavailable(r.limit(), failure), null));
    }

    private CompletionStage<RedisDecision> reserve(FleetRoute r, LeasedKey lk, String key, long s, long permits) {
        CompletableFuture<PermitBatch> mine = new CompletableFuture<>();
        CompletableFuture<PermitBatch> inFlight = lk.pending.compareAndExchange(null, mine);
        if (inFlight != null) {
            return inFlight.thenCompose(batch -> {
                RedisDecision local = fromBatch(r, batch, s, permits);
                return local != null ? CompletableFuture.completedFuture(local) : direct(r, key, s, permits);
            });
        }
        long want = Math.max(permits, lk.nextSize(s, r.maxBatch, false));
        return send(r, key, s, permits, want, permits)
                .thenApply(res -> {
                    if (res.batch() != null) {
                        lk.batch = res.batch();
                    }
                    lk.pending.set(null);
                    mine.complete(res.batch());
                    return decided(r, key, s, permits, res.decision());
                });
    }

    private CompletionStage<RedisDecision> direct(FleetRoute r, String key, long s, long permits) {
        LimitScript script = r.script;
        return scripts.call(script, redis.redisKey(script.limit.name(), key), script.arguments(r.time(s), graceMillis, permits),
                reply -> script.decide(reply, permits, key), failure -> RedisDecision.unavailable(script.limit, failure))
                .thenApply(d -> decided(r, key, s, permits, d));
    }

    private RedisDecision decided(FleetRoute r, String key, long s, long permits, RedisDecision d) {
        if (d.outcome() != RedisOutcome.BACKEND_UNAVAILABLE) {
            redisDecisions.increment();
            return d;
        }
        health.failed();
        return fallback(r, key, permits, s, d);
    }

    private RedisDecision fallback(FleetRoute r, String key, long permits, long s, RedisDecision unavailable) {
        fallbackDecisions.increment();
        return failureMode == FailureMode.FAIL_OPEN_LOCAL ? r.fallback.decide(key, permits, s) : unavailable;
    }

    /** @return the counters since this limiter was built */
    public FleetMetrics metrics() {
        return new FleetMetrics(redisDecisions.sum(), leasedGrants.sum(), cachedDenials.sum(), reservations.sum(),
                health.failures.sum(), health.degradedEntries.sum(), health.recoveries.sum(), fallbackDecisions.sum(),
                health.isDegraded());
    }

    /** @return the failure mode */
    public FailureMode failureMode() {
        return failureMode;
    }

    /** Closes the local fallback limits; the {@link RedisLimiter} stays open (it belongs to the caller). */
    @Override
    public void close() {
        routes.values().forEach(r -> {
            if (r.fallback != null) {
                r.fallback.close();
            }
        });
    }

    /** Collects a {@link FleetLimiter}'s settings; not thread-safe. */
    public static final class Builder {
        private final RedisLimiter redis;
        private final Map<String, Long> leases = new LinkedHashMap<>();
        private FailureMode failureMode = FailureMode.FAIL_CLOSED;
        private int instances = 1;
        private long localKeys = 100_000;
        private long leasedKeys = 100_000;
        private Duration probeInterval = Duration.ofMillis(100);
        private Duration probeTimeout = Duration.ofSeconds(1);
        private LimiterEngineFactory engineFactory;

        private Builder(RedisLimiter redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /**
         * Leases {@code limitName}: reservations of 1 to {@code maxBatch} permits (adapted to the
         * local rate), granted locally. Token-bucket, fixed-window and sliding-window limits only.
         */
        public Builder lease(String limitName, long maxBatch) {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
            }
            redis.script(limitName);                         // an unknown limit throws here
            leases.put(limitName, maxBatch);
            return this;
        }

        /**
         * Sets what happens while Redis does not answer (default {@link FailureMode#FAIL_CLOSED}), and
         * how many instances share the limits: {@link FailureMode#FAIL_OPEN_LOCAL} gives each N / instances.
         */
        public Builder failureMode(FailureMode mode, int instances) {
            if (instances < 1) {
                throw new IllegalArgumentException("instances must be >= 1, was " + instances);
            }
            this.failureMode = Objects.requireNonNull(mode, "mode");
            this.instances = instances;
            return this;
        }

        /** Sets how many keys each local fallback limit holds (default 100,000); more are denied. */
        public Builder localKeys(long keys) {
            this.localKeys = keys;
            return this;
        }

        /** Sets how many keys of one leased limit hold a batch (default 100,000); others are decided by Redis. */
        public Builder leasedKeys(long keys) {
            this.leasedKeys = keys;
            return this;
        }

        /** Sets the least real time between two probes of a degraded backend (default 100 ms) and their time-out (default 1 s). */
        public Builder probe(Duration interval, Duration timeout) {
            this.probeInterval = Objects.requireNonNull(interval, "interval");
            this.probeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Sets the engine of the local fallback limits (default: {@link LimiterEngineFactory#discover()}). */
        public Builder engineFactory(LimiterEngineFactory factory) {
            this.engineFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * @throws IllegalArgumentException when a leased limit cannot be leased (a maxBatch above what
         *     one request of the limit may take is lowered to that)
         * @throws IllegalStateException when failing open and no engine is on the class path
         */
        public FleetLimiter build() {
            LimiterEngineFactory factory = failureMode == FailureMode.FAIL_OPEN_LOCAL
                    ? (engineFactory != null ? engineFactory : LimiterEngineFactory.discover()) : null;
            Map<String, FleetRoute> routes = new HashMap<>();
            for (String name : redis.limitNames()) {
                LimitScript script = redis.script(name);
                Algorithm a = script.limit.algorithm();
                if (a == Algorithm.CONCURRENCY || a == Algorithm.CARDINALITY) {
                    if (leases.containsKey(name)) {
                        throw new IllegalArgumentException("limit '" + name + "' (" + a + ") cannot be leased");
                    }
                    continue;
                }
                Long asked = leases.get(name);
                LeaseScript lease = asked == null ? null : new LeaseScript(script);
                long maxBatch = asked == null ? 0 : Math.min(asked, script.maxPermits());
                TimeMode mode = redis.mode(name);
                LocalFallback fallback = factory == null ? null : new LocalFallback(factory, script.limit, instances,
                        localKeys, mode == TimeMode.SERVER ? dev.limiter.Clock.system() : redis.clock());
                routes.put(name, new FleetRoute(script, mode, redis.clock(), lease, maxBatch,
                        leasedKeys, fallback));
            }
            return new FleetLimiter(this, routes);
        }
    }
}
