package dev.limiter.redis;

import dev.limiter.Clock;
import dev.limiter.Limit;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/*
 * Redis-backed limits: one EVALSHA per decision.
 *
 * Request path. acquireAsync validates its arguments (an IllegalArgumentException is the caller's
 * bug and changes nothing), answers UNSATISFIABLE for more permits than the limit can ever grant
 * without a round trip, and otherwise runs the limit's script through RedisScripts (EVALSHA, NOSCRIPT
 * reload, time-out). The script is the whole decision, atomic on the server: Redis runs one script
 * at a time, so the kernel's CAS loop becomes straight-line code.
 *
 * Failure. Every failure completes the stage normally with BACKEND_UNAVAILABLE and the cause in a
 * RedisBackendException: the limiter fails closed and never throws into a request. A request that
 * timed out may still have been decided on the server (its permits may be consumed): failing closed
 * errs toward fewer grants, never more.
 *
 * Keys. A limit's state for key K lives at  prefix + "{" + K + "}:" + limitName : every limit of one
 * K shares the hash tag {K}, so one script over several of them (a composite decision) stays on one
 * Redis Cluster slot.
 */
/**
 * Limits whose state lives in Redis, decided by Lua scripts one round trip per request; thread-safe.
 *
 * <pre>{@code
 * try (RedisLimiter limiter = RedisLimiter.builder()
 *         .uri("redis://127.0.0.1:6379")
 *         .limit(Limit.tokenBucket("api", 100, Duration.ofSeconds(1)).build(), TimeMode.SERVER)
 *         .build()) {
 *     limiter.acquireAsync("api", "user-42", 1).thenAccept(d -> { if (d.allowed()) serve(); });
 * }
 * }</pre>
 */
public final class RedisLimiter implements AutoCloseable {
    private final RedisClient ownedClient;
    private final StatefulRedisConnection<String, String> connection;
    private final boolean ownsConnection;
    private final RedisScripts scripts;
    private final Map<String, Binding> limits;
    private final String keyPrefix;
    private final Clock clock;
    private final long graceMillis;

    /** A limit with its script and time mode. */
    private static final class Binding {
        final LimitScript script;
        final TimeMode mode;

        Binding(LimitScript script, TimeMode mode) {
            this.script = script;
            this.mode = mode;
        }
    }

    private RedisLimiter(Builder b, RedisClient ownedClient, StatefulRedisConnection<String, String> connection) {
        this.ownedClient = ownedClient;
        this.connection = connection;
        this.ownsConnection = b.connection == null;
        this.scripts = new RedisScripts(connection.async(), b.timeout);
        this.limits = Map.copyOf(b.limits);
        this.keyPrefix = b.keyPrefix;
        this.clock = b.clock;
        this.graceMillis = b.grace.toMillis();
    }

    /** @return a builder; a client (or URI) and at least one limit are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Asks for {@code permits} of {@code limitName} for {@code key}. For a concurrency limit an
     * allowed decision carries the {@link RedisLease} that holds the permits until
     * {@link #releaseAsync} (or until the limit's maximum hold time reclaims them).
     *
     * <p>Dependent stages added without an executor run on the Redis client's I/O thread: they must
     * not block.
     *
     * @return a stage that always completes normally, within the configured time-out: ALLOWED,
     *     LIMITED, UNSATISFIABLE, or BACKEND_UNAVAILABLE when Redis did not decide
     * @throws IllegalArgumentException for an unknown limit, a null or empty key, or permits &lt; 1
     *     (nothing is sent)
     */
    public CompletionStage<RedisDecision> acquireAsync(String limitName, String key, long permits) {
        Binding binding = binding(limitName);
        String redisKey = redisKey(limitName, key);
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        LimitScript script = binding.script;
        if (script instanceof CardinalityScript) {
            throw new IllegalArgumentException("limit '" + limitName + "' admits members: use admitAsync");
        }
        if (permits > script.maxPermits()) {
            return CompletableFuture.completedFuture(new RedisDecision(RedisOutcome.UNSATISFIABLE, script.limit, 0,
                    RedisDecision.NEVER, RedisDecision.NEVER, null, null));
        }
        String[] args = script.arguments(time(binding), graceMillis, permits);
        return scripts.call(script, redisKey, args, reply -> script.decide(reply, permits, key),
                failure -> RedisDecision.unavailable(script.limit, failure));
    }

    private String time(Binding binding) {
        return binding.mode == TimeMode.SERVER ? "server" : LimitScript.hex(clock.nanoTime());
    }

    /**
     * Asks for {@code permits} of every limit in {@code limitNames} for {@code key}, all or nothing,
     * in one script: when any limit denies, nothing is consumed anywhere and the decision is the
     * first denying limit's; otherwise every limit consumes the permits and the decision is the one
     * with the fewest permits remaining. Token-bucket, window and quota limits of one time mode can
     * be combined; their keys share the hash tag {@code {key}}, so this works on Redis Cluster.
     *
     * @return a stage that always completes normally, as {@link #acquireAsync}
     * @throws IllegalArgumentException for no limits, a repeated, unknown or non-composable limit,
     *     limits of different time modes, a null or empty key, or permits &lt; 1 (nothing is sent)
     */
    public CompletionStage<RedisDecision> acquireAllAsync(String key, long permits, String... limitNames) {
        if (limitNames.length == 0 || java.util.Set.of(limitNames).size() != limitNames.length) {
            throw new IllegalArgumentException("a composite needs distinct limits, was " + java.util.Arrays.toString(limitNames));
        }
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        List<LimitScript> parts = new java.util.ArrayList<>();
        String[] keys = new String[limitNames.length];
        Binding first = binding(limitNames[0]);
        for (int i = 0; i < limitNames.length; i++) {
            Binding b = binding(limitNames[i]);
            keys[i] = redisKey(limitNames[i], key);
            if (!CompositeScript.composable(b.script) || b.mode != first.mode) {
                throw new IllegalArgumentException("limit '" + limitNames[i] + "' cannot join this composite: only "
                        + "token-bucket, window and quota limits of one time mode combine");
            }
            parts.add(b.script);
        }
        for (LimitScript part : parts) {
            if (permits > part.maxPermits()) {
                return CompletableFuture.completedFuture(new RedisDecision(RedisOutcome.UNSATISFIABLE, part.limit, 0,
                        RedisDecision.NEVER, RedisDecision.NEVER, null, null));
            }
        }
        String[] args = CompositeScript.arguments(parts, time(first), graceMillis, permits);
        return scripts.call(CompositeScript.INSTANCE, keys, args, reply -> CompositeScript.decide(parts, reply, permits, key),
                failure -> RedisDecision.unavailable(parts.get(0).limit, failure));
    }

    /**
     * Admits {@code member} under {@code key} for the cardinality limit {@code limitName}: allowed when
     * it is already a member, or when fewer than N members are admitted (it then counts as one).
     *
     * @return a stage that always completes normally, as {@link #acquireAsync}
     * @throws IllegalArgumentException for an unknown or non-cardinality limit, a null or empty key,
     *     or a null member (nothing is sent)
     */
    public CompletionStage<RedisDecision> admitAsync(String limitName, String key, String member) {
        Binding binding = binding(limitName);
        String parentKey = redisKey(limitName, key);
        if (!(binding.script instanceof CardinalityScript)) {
            throw new IllegalArgumentException("limit '" + limitName + "' is not a cardinality limit: use acquireAsync");
        }
        if (member == null) {
            throw new IllegalArgumentException("member must not be null");
        }
        CardinalityScript script = (CardinalityScript) binding.script;
        String[] keys = {parentKey, CardinalityScript.membersKey(parentKey)};
        return scripts.call(script, keys, script.memberArguments(graceMillis, member),
                reply -> script.decide(reply, 1, key), failure -> RedisDecision.unavailable(script.limit, failure));
    }

    /**
     * Gives a concurrency lease's permits back, once: later calls for the same lease send nothing.
     *
     * @return a stage that always completes normally: true when Redis took the permits back; false
     *     when the lease was released before, was already reclaimed after its maximum hold time, or
     *     Redis did not answer (the permits then come back when the lease is reclaimed)
     * @throws IllegalArgumentException for a lease of a limit this limiter does not have
     */
    public CompletionStage<Boolean> releaseAsync(RedisLease lease) {
        Binding binding = binding(lease.limitName());
        String redisKey = redisKey(lease.limitName(), lease.key());
        if (!(binding.script instanceof ConcurrencyScript) || !lease.markReleased()) {
            return CompletableFuture.completedFuture(false);
        }
        ConcurrencyScript script = (ConcurrencyScript) binding.script;
        String[] args = script.releaseArguments(time(binding), graceMillis, lease.permits(), lease.generation());
        return scripts.call(script, redisKey, args, reply -> "1".equals(reply.get(0)), failure -> false);
    }

    /**
     * Blocking form of {@link #acquireAsync}: waits at most the configured time-out.
     *
     * @return the decision; never throws for a Redis failure
     * @throws IllegalArgumentException as {@link #acquireAsync}
     */
    public RedisDecision acquire(String limitName, String key, long permits) {
        return acquireAsync(limitName, key, permits).toCompletableFuture().join();
    }

    /** @return whether one permit of {@code limitName} was granted to {@code key}; false when Redis did not decide */
    public boolean tryAcquire(String limitName, String key) {
        return acquire(limitName, key, 1).allowed();
    }

    /**
     * @return the Redis key that holds {@code limitName}'s state for {@code key}
     * @throws IllegalArgumentException for an unknown limit or a null or empty key
     */
    public String redisKey(String limitName, String key) {
        binding(limitName);
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must be a non-empty string, was " + (key == null ? "null" : "empty"));
        }
        return keyPrefix + "{" + key + "}:" + limitName;
    }

    // for FleetLimiter, which decides this limiter's limits at its own times
    LimitScript script(String limitName) { return binding(limitName).script; }
    TimeMode mode(String limitName) { return binding(limitName).mode; }
    RedisScripts scripts() { return scripts; }
    Clock clock() { return clock; }
    long graceMillis() { return graceMillis; }
    StatefulRedisConnection<String, String> connection() { return connection; }
    java.util.Set<String> limitNames() { return limits.keySet(); }

    private Binding binding(String limitName) {
        Binding b = limitName == null ? null : limits.get(limitName);
        if (b == null) {
            throw new IllegalArgumentException("no limit named '" + limitName + "'; known: " + limits.keySet());
        }
        return b;
    }

    /**
     * Closes the connection unless the builder was given it, and the client when the builder created
     * it; pending requests end as BACKEND_UNAVAILABLE.
     */
    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
        if (ownedClient != null) {
            ownedClient.shutdown();
        }
    }

    /** Collects a {@link RedisLimiter}'s settings; not thread-safe. */
    public static final class Builder {
        private RedisClient client;
        private String uri;
        private StatefulRedisConnection<String, String> connection;
        private final Map<String, Binding> limits = new LinkedHashMap<>();
        private String keyPrefix = "limiter:";
        private Clock clock = Builder::epochNanos;
        private Duration grace = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofSeconds(1);

        private Builder() {
        }

        /** Uses the caller's client; {@link RedisLimiter#close()} leaves it open. */
        public Builder client(RedisClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Uses the caller's open connection (shared, e.g. by many limiters); {@link RedisLimiter#close()} leaves it open. */
        public Builder connection(StatefulRedisConnection<String, String> connection) {
            this.connection = Objects.requireNonNull(connection, "connection");
            return this;
        }

        /** Creates a client for {@code redisUri} (e.g. {@code redis://127.0.0.1:6379}), closed with the limiter. */
        public Builder uri(String redisUri) {
            this.uri = Objects.requireNonNull(redisUri, "uri");
            return this;
        }

        /** Adds a limit, decided on the given clock; names must be unique. */
        public Builder limit(Limit limit, TimeMode mode) {
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(mode, "mode");
            if (limits.containsKey(limit.name())) {
                throw new IllegalArgumentException("two limits named '" + limit.name() + "'");
            }
            limits.put(limit.name(), new Binding(LimitScript.forLimit(limit), mode));
            return this;
        }

        /** Sets the prefix of every Redis key (default {@code limiter:}); it must not contain braces. */
        public Builder keyPrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
                throw new IllegalArgumentException("key prefix must not contain '{' or '}' (they would move the hash tag): " + prefix);
            }
            this.keyPrefix = prefix;
            return this;
        }

        /** Sets the clock of {@link TimeMode#CALLER} limits; default: epoch nanoseconds of the system wall clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets how much longer than its state needs a key is kept (default 1 s): callers whose clock
         * lags the key's latest time by less than this are decided exactly as the engine decides.
         */
        public Builder expiryGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("expiry grace must not be negative, was " + grace);
            }
            this.grace = grace;
            return this;
        }

        /** Sets how long an acquire waits for Redis before it fails closed (default 1 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Connects and loads every limit's script (SCRIPT LOAD).
         *
         * @throws IllegalStateException without a client or URI, or without limits
         * @throws RedisBackendException when Redis cannot be reached or refuses a script
         */
        public RedisLimiter build() {
            int sources = (client == null ? 0 : 1) + (uri == null ? 0 : 1) + (connection == null ? 0 : 1);
            if (sources != 1) {
                throw new IllegalStateException("set exactly one of client(...), connection(...) and uri(...)");
            }
            if (limits.isEmpty()) {
                throw new IllegalStateException("add at least one limit");
            }
            RedisClient owned = null;
            StatefulRedisConnection<String, String> opened = null;
            try {
                if (uri != null) {
                    owned = RedisClient.create(uri);
                    owned.setOptions(ClientOptions.builder()
                            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
                }
                if (connection == null) {
                    opened = (owned != null ? owned : client).connect();
                }
                StatefulRedisConnection<String, String> used = connection != null ? connection : opened;
                List<LuaScript> all = new java.util.ArrayList<>(List.of(CompositeScript.INSTANCE));
                limits.values().forEach(b -> all.add(b.script));
                for (LuaScript script : all) {
                    String sha = used.sync().scriptLoad(script.source());
                    if (!script.sha().equals(sha)) {
                        throw new IllegalStateException("Redis named the script of " + script.label() + " " + sha
                                + ", expected " + script.sha());
                    }
                }
                return new RedisLimiter(this, owned, used);
            } catch (RuntimeException e) {
                if (opened != null) {
                    opened.close();
                }
                if (owned != null) {
                    owned.shutdown();
                }
                throw new RedisBackendException("cannot start the Redis limiter: " + e.getMessage(), e);
            }
        }

        private static long epochNanos() {
            Instant now = Instant.now();
            return Saturating.add(Saturating.multiplySigned(now.getEpochSecond(), 1_000_000_000L), now.getNano());
        }
    }
}
