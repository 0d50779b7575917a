package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.TimerStats;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.kernel.SlidingWindowKernel;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.EngineAccess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The off-heap engine: each registered {@link Limit} gets its own lock-free key table in direct
 * memory, sized at build time.
 *
 * <pre>{@code
 * try (OffHeapEngine engine = OffHeapEngine.builder()
 *         .limit(Limit.tokenBucket("per-user", 100, Duration.ofSeconds(1)).build(), 1_000_000)
 *         .build()) {
 *     RateLimiter perUser = engine.rateLimiter("per-user");
 *     if (perUser.tryAcquire(userId)) { ... }
 * }
 * }</pre>
 *
 * <p>Capacity is the most keys <em>live at once</em>: with idle-key eviction (the default, see
 * {@link IdleKeyEviction}) keys whose state decayed leave the table, so a table serves an
 * unbounded stream of distinct keys. Memory per key, off-heap: slot = 16 key bytes (8 with
 * {@link Builder#longKeysOnly()}) + 8 bytes per state word; the table allocates
 * {@code max(claims + 64, claims / 0.8)} slots for {@code claims = 2 capacity + 64} with eviction
 * ({@code capacity} without it, and always for quota and cardinality, whose counts never decay).
 * So a token bucket, fixed window or concurrency key (one state word) takes 60 B per key of
 * capacity with eviction and 30 B without; 40 B and 20 B on 64-bit keys only; a sliding window of
 * k sub-windows (k + 2 words) 20k + 80 B and 10k + 40 B; a cardinality limit 30 B per parent and
 * 30 B per (parent, member), both tables holding {@code capacity}.
 * While a rotation runs, the retired table and the new one are both allocated (plus 8 bytes per
 * retired slot on the heap), and the retired one is freed when it becomes unreachable.
 *
 * <p>Composite decisions ({@link #tryAcquireAll}) are atomic; see the comment above it for the
 * protocol. Per-key overrides ({@link Limiter#override(long, long)}) may raise an overridable
 * window or concurrency limit to {@value #OVERRIDE_HEADROOM} times N (its state layout is sized for
 * that); token buckets and quotas may be raised to {@link Limit#MAX_PERMITS}. Thread-safe; see
 * {@link LimiterEngine} for the close contract.
 */
public final class OffHeapEngine implements LimiterEngine, TimerStats {
    private static final CheckRecords CHECKS = EngineAccess.checks();
    private final EngineTime time;
    private final AsyncAcquirer async = new AsyncAcquirer(this);
    private final Clock clock;
    private final Map<String, OffHeapLimiter> limiters;
    private final List<Limiter> ordered;
    private final IdleKeyEviction eviction;
    private final ThreadLocal<CompositeTransaction> transactions = ThreadLocal.withInitial(CompositeTransaction::new);
    private volatile boolean closed;

    private OffHeapEngine(Builder b) {
        this.time = new EngineTime(b.clock, b.cachedTickNanos, this::sweepTask);
        this.clock = time.clock();
        Map<String, OffHeapLimiter> byName = new LinkedHashMap<>();
        long seed = b.seed;
        for (Registration r : b.registrations) {
            byName.put(r.limit.name(), OffHeapLimiterFactory.create(this, r.limit, Kernels.kernelFor(r.limit), r.capacity,
                    r.whenFull == null ? b.whenFull : r.whenFull, seed, b.evictIdleKeys, b.layout));
        }
        this.limiters = byName;
        this.eviction = new IdleKeyEviction(byName.values());
        this.ordered = Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    /** @return a builder with the system clock and {@link WhenFull#REJECT} */
    public static Builder builder() {
        return new Builder();
    }

    /** How far a per-key override may raise an overridable limit: 16 times N (capped at the API maximum). */
    public static final int OVERRIDE_HEADROOM = 16;

    /**
     * @return the clock limiters read when a caller passes no "now": the builder's clock, or the
     *     engine's cached clock over it when {@link Builder#cachedClock(Duration)} was set
     */
    @Override
    public Clock clock() {
        return clock;
    }

    EngineTime time() {
        return time;
    }

    /** @return asynchronous acquire for this engine's rate limits: waits without parking a thread */
    public AsyncAcquirer async() {
        checkOpen();
        return async;
    }

    /**
     * Drives the engine's timers on the calling thread, for an engine built on a
     * {@link dev.limiter.ManualClock}: reads the clock, publishes it to the cached clock (if any)
     * and fires every timer due by then (lease reclaim), in as many duty cycles as that takes. Move
     * the clock, call this, assert: tests never sleep. A timer fires at the first call whose
     * reading is at least one {@link #timerTickNanos() tick} past its deadline, possibly sooner,
     * never before its deadline. The same call runs the idle-key eviction sweep when it is due (every
     * tick of the clock); {@link IdleKeyEviction#evictNow()} runs a complete one at once.
     *
     * @return units of work done (0 if nothing was due)
     * @throws IllegalStateException if the engine's clock is not a {@code ManualClock} (its timers
     *     run on their own daemon thread, {@code limiter-ticker-engine-<n>})
     */
    public int runTimers() {
        checkOpen();
        return time.runTimers();
    }

    /** The periodic eviction sweep, on the ticker's thread; nothing before the engine is built or after close. */
    private int sweepTask(long nowNanos) {
        IdleKeyEviction e = eviction;
        return e == null || closed ? 0 : e.sweep();
    }

    /** @return idle-key eviction across this engine's limiters: counters and an explicit sweep */
    public IdleKeyEviction eviction() {
        checkOpen();
        return eviction;
    }

    /** @return timers scheduled and not yet fired or cancelled (lease reclaims), approximate while others schedule */
    @Override
    public int pendingTimers() {
        return time.pendingTimers();
    }

    @Override
    public long reclaimedLeases() {
        return time.reclaimedLeases();
    }

    /** @return the timers' resolution in nanoseconds (a power of two; about 1 ms unless the cached clock set it) */
    public long timerTickNanos() {
        return time.tickNanos();
    }

    /** As {@link TimerStats#timerLatenessNanos}, to 2 significant digits. */
    @Override
    public long timerLatenessNanos(double percentile) {
        return time.latenessNanos(percentile);
    }

    @Override
    public Limiter limiter(String limitName) {
        checkOpen();
        OffHeapLimiter l = limiters.get(limitName);
        if (l == null) {
            throw new IllegalArgumentException("no limit named '" + limitName + "'; known: " + limiters.keySet());
        }
        return l;
    }

    @Override
    public List<Limiter> limiters() {
        checkOpen();
        return ordered;
    }

    /** Atomic across every check; see {@link CompositeTransaction} for the protocol and its refunds. */
    @Override
    public boolean tryAcquireAll(Checks checks, long nowNanos, Decision into) {
        checkOpen();
        return transactions.get().run(this, checks, nowNanos, into);
    }

    /** Waits on the engine's ticker; see {@link AsyncAcquirer#acquireAll(Checks, Duration)} for the rules. */
    @Override
    public CompletableFuture<Decision> acquireAllAsync(Checks checks, long maxWaitNanos) {
        checkOpen();
        return async.acquireAllDecided(checks, maxWaitNanos);
    }

    /**
     * Returns the leases the last successful {@link #tryAcquireAll} on {@code checks} took from its
     * concurrency checks. Idempotent: each check's token is cleared as it is released, and a lease
     * past its reclaim point is not returned twice (see ConcurrencyKernel).
     */
    @Override
    public void releaseAll(Checks checks, long nowNanos) {
        checkOpen();
        final int n = checks.size();
        for (int i = 0; i < n; i++) {
            owned(checks.limiter(i), i);
        }
        for (int i = 0; i < n; i++) {
            OffHeapLimiter l = (OffHeapLimiter) checks.limiter(i);
            long token = CHECKS.token(checks, i);
            if (token != 0L && l.algorithm() == Algorithm.CONCURRENCY) {
                CHECKS.token(checks, i, 0L);
                l.steps().release(checks, i, token, nowNanos);
            }
        }
    }

    /** @return the limiter of check {@code i}, checked to belong to this engine */
    OffHeapLimiter owned(Limiter limiter, int i) {
        if (!(limiter instanceof OffHeapLimiter) || ((OffHeapLimiter) limiter).engine() != this) {
            throw new IllegalArgumentException("check " + i + ": limiter '" + limiter.limit().name()
                    + "' belongs to another engine; nothing was consumed");
        }
        return (OffHeapLimiter) limiter;
    }

    /** @return off-heap bytes held by every limiter's table */
    public long bytesAllocated() {
        checkOpen();
        long sum = 0;
        for (OffHeapLimiter l : limiters.values()) {
            sum += l.bytesAllocated();
        }
        return sum;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        time.close();
        for (OffHeapLimiter l : limiters.values()) {
            l.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }

    @Override
    public String toString() {
        return "OffHeapEngine" + (closed ? "[closed]" : ordered.toString());
    }

    private record Registration(Limit limit, long capacity, WhenFull whenFull) {
    }

    /** Collects limits and settings; {@link #build()} validates them all before allocating anything. */
    public static final class Builder {
        /** Smallest cached-clock tick: 10 microseconds. */
        public static final Duration MIN_CACHED_TICK = Duration.ofNanos(10_000);
        /** Largest cached-clock tick: 1 second. */
        public static final Duration MAX_CACHED_TICK = Duration.ofSeconds(1);

        private Clock clock = Clock.system();
        private long cachedTickNanos;
        private WhenFull whenFull = WhenFull.REJECT;
        private long seed = ThreadLocalRandom.current().nextLong();
        private boolean evictIdleKeys = true;
        private KeyTable.Layout layout = KeyTable.Layout.WIDE;
        private final List<Registration> registrations = new ArrayList<>();

        private Builder() {
        }

        /** Sets the clock read when a caller passes no "now". */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Makes {@link OffHeapEngine#clock()} a cached clock with the default tick of 1 ms; see
         * {@link #cachedClock(Duration)}.
         */
        public Builder cachedClock() {
            return cachedClock(Duration.ofMillis(1));
        }

        /**
         * Makes {@link OffHeapEngine#clock()} a cached clock: a read is one volatile load of the
         * engine ticker's latest reading of the builder's clock, published every {@code tick}
         * (rounded up to a power of two of nanoseconds, at most 2^30). A reading is never ahead of
         * the source, never goes back, and a sampled read that finds it more than 4 ticks behind
         * reads the source itself, so a stalled ticker never freezes time.
         *
         * <p>What staleness costs: judged on true time, every interval {@code [a, b]} receives at
         * most what the limit allows for {@code [a - S, b]}, S the staleness bound (about 4 ticks)
         * - a slight over-admission is possible, not only under-admission. Use it where a limit's
         * period is large against S.
         *
         * @param tick within [{@link #MIN_CACHED_TICK}, {@link #MAX_CACHED_TICK}]
         */
        public Builder cachedClock(Duration tick) {
            Objects.requireNonNull(tick, "tick");
            if (tick.compareTo(MIN_CACHED_TICK) < 0 || tick.compareTo(MAX_CACHED_TICK) > 0) {
                throw new IllegalArgumentException("cached clock tick must be within [" + MIN_CACHED_TICK + ", "
                        + MAX_CACHED_TICK + "], was " + tick);
            }
            this.cachedTickNanos = tick.toNanos();
            return this;
        }

        /** Sets what limiters do with a new key when their table is full (default {@link WhenFull#REJECT}). */
        public Builder whenFull(WhenFull whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
            return this;
        }

        /**
         * Turns idle-key eviction on (the default) or off. On, a limiter of capacity C holds up to C
         * live keys and evicts keys whose state has decayed to "as if never seen" (see
         * {@link IdleKeyEviction}); its table takes 2 C + 64 keys, so its off-heap
         * memory doubles. Off, the table holds C keys for good. Quota and cardinality limits never
         * evict (their counts never decay) and keep tables of C. Call before {@link #limit}.
         */
        public Builder evictIdleKeys(boolean on) {
            if (!registrations.isEmpty()) {
                throw new IllegalStateException("set evictIdleKeys before registering limits");
            }
            this.evictIdleKeys = on;
            return this;
        }

        /**
         * Stores keys as 64-bit words (off by default): a slot holds the key itself and the limit's
         * state, 8 bytes less than a slot that can hold any key, so a token bucket's key takes 16
         * bytes and four keys share a cache line. Every limiter of the engine then takes
         * {@code long} keys only: a {@code CharSequence} or {@code byte[]} key is refused with
         * {@link UnsupportedOperationException}, before anything is changed. Call before {@link #limit}.
         */
        public Builder longKeysOnly() {
            if (!registrations.isEmpty()) {
                throw new IllegalStateException("set longKeysOnly before registering limits");
            }
            this.layout = KeyTable.Layout.NARROW;
            return this;
        }

        /** Fixes the string-hash seed (random by default), for reproducible tests. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Registers a limit whose table holds up to {@code capacity} keys. */
        public Builder limit(Limit limit, long capacity) {
            return limit(limit, capacity, null);
        }

        /** Registers a limit with its own full-table behaviour. */
        public Builder limit(Limit limit, long capacity, WhenFull whenFull) {
            Objects.requireNonNull(limit, "limit");
            if (capacity < 1) {
                throw new IllegalArgumentException("limit '" + limit.name() + "': capacity must be at least 1, was "
                        + capacity);
            }
            for (Registration r : registrations) {
                if (r.limit.name().equals(limit.name())) {
                    throw new IllegalArgumentException("limit '" + limit.name() + "' is registered twice");
                }
            }
            Kernel kernel = Kernels.kernelFor(limit); // fails early for an unsupported algorithm
            // and for a table that cannot be allocated, before any table is
            KeySpace.checkSizes(capacity, kernel.stateWords(), limit.algorithm() == Algorithm.CARDINALITY,
                    evictIdleKeys && OffHeapLimiter.evictable(limit.algorithm()), layout);
            registrations.add(new Registration(limit, capacity, whenFull));
            return this;
        }

        /** @return the engine, with every table allocated */
        public OffHeapEngine build() {
            return new OffHeapEngine(this);
        }
    }
}
