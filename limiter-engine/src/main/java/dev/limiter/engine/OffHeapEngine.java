package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.FixedWindowKernel;
import dev.limiter.engine.internal.GcraKernel;
import dev.limiter.engine.internal.Kernel;
import dev.limiter.engine.internal.SlidingWindowKernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The off-heap engine: each registered {@link Limit} gets its own lock-free key table in direct
 * memory, sized at build time.
 *
 * <pre>{@code
 * try (OffHeapEngine engine = OffHeapEngine.builder()
 *         .limit(Limit.tokenBucket("per-user", 100, Duration.ofSeconds(1)).build(), 1_000_000)
 *         .build()) {
 *     Limiter perUser = engine.limiter("per-user");
 *     if (perUser.tryAcquire(userId)) { ... }
 * }
 * }</pre>
 *
 * <p>Memory per key, off-heap: slot = 16 key bytes + 8 bytes per state word (24 bytes for a token
 * bucket or fixed window), and the table allocates {@code max(capacity + 64, capacity / 0.8)}
 * slots: 30 bytes per key of capacity for a token bucket. Thread-safe; see {@link LimiterEngine}
 * for the close contract.
 */
public final class OffHeapEngine implements LimiterEngine {
    private final Clock clock;
    private final Map<String, OffHeapLimiter> limiters;
    private final List<Limiter> ordered;
    private volatile boolean closed;

    private OffHeapEngine(Builder b) {
        this.clock = b.clock;
        Map<String, OffHeapLimiter> byName = new LinkedHashMap<>();
        long seed = b.seed;
        for (Registration r : b.registrations) {
            byName.put(r.limit.name(), new OffHeapLimiter(this, r.limit, kernelFor(r.limit), r.capacity,
                    r.whenFull == null ? b.whenFull : r.whenFull, seed));
        }
        this.limiters = byName;
        this.ordered = Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    /** @return a builder with the system clock and {@link WhenFull#REJECT} */
    public static Builder builder() {
        return new Builder();
    }

    /** How far a per-key override may raise an overridable limit: 16 times N (capped at the API maximum). */
    public static final int OVERRIDE_HEADROOM = 16;

    static Kernel kernelFor(Limit limit) {
        long layout = layoutPermits(limit);
        switch (limit.algorithm()) {
            case TOKEN_BUCKET:
                return new GcraKernel(limit);
            case FIXED_WINDOW:
                return new FixedWindowKernel(limit, layout);
            case SLIDING_WINDOW:
                return new SlidingWindowKernel(limit, layout);
            default:
                throw new IllegalArgumentException("limit '" + limit.name() + "': algorithm "
                        + limit.algorithm() + " is not supported by this engine yet");
        }
    }

    /**
     * @return the permits a kernel's state layout is sized for: N for a fixed limit, else room for
     *     per-key raises up to {@link #OVERRIDE_HEADROOM} times N
     */
    static long layoutPermits(Limit limit) {
        if (!limit.overridable()) {
            return limit.permits();
        }
        return Math.max(limit.permits(), Math.min(Limit.MAX_PERMITS, limit.permits() * OVERRIDE_HEADROOM));
    }

    @Override
    public Clock clock() {
        return clock;
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

    @Override
    public boolean tryAcquireAll(Checks checks, long nowNanos, Decision into) {
        throw new UnsupportedOperationException("composite decisions are not implemented yet");
    }

    @Override
    public void releaseAll(Checks checks, long nowNanos) {
        throw new UnsupportedOperationException("composite decisions are not implemented yet");
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

    private static final class Registration {
        final Limit limit;
        final long capacity;
        final WhenFull whenFull;

        Registration(Limit limit, long capacity, WhenFull whenFull) {
            this.limit = limit;
            this.capacity = capacity;
            this.whenFull = whenFull;
        }
    }

    /** Collects limits and settings; {@link #build()} validates them all before allocating anything. */
    public static final class Builder {
        private Clock clock = Clock.system();
        private WhenFull whenFull = WhenFull.REJECT;
        private long seed = ThreadLocalRandom.current().nextLong();
        private final List<Registration> registrations = new ArrayList<>();

        private Builder() {
        }

        /** Sets the clock read when a caller passes no "now". */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Sets what limiters do with a new key when their table is full (default {@link WhenFull#REJECT}). */
        public Builder whenFull(WhenFull whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
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
            kernelFor(limit); // fails early for an unsupported algorithm
            registrations.add(new Registration(limit, capacity, whenFull));
            return this;
        }

        /** @return the engine, with every table allocated */
        public OffHeapEngine build() {
            return new OffHeapEngine(this);
        }
    }
}
