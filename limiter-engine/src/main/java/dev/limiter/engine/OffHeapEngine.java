package dev.limiter.engine;

import dev.limiter.Checks;
import dev.limiter.Clock;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;
import dev.limiter.WhenFull;
import dev.limiter.engine.internal.FixedWindowKernel;
import dev.limiter.engine.internal.GcraKernel;
import dev.limiter.engine.internal.Kernel;
import dev.limiter.engine.internal.SlidingWindowKernel;
import dev.limiter.engine.internal.CardinalityKernel;
import dev.limiter.engine.internal.ConcurrencyKernel;
import dev.limiter.engine.internal.QuotaKernel;

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
 * <p>Memory per key, off-heap: slot = 16 key bytes + 8 bytes per state word, and the table
 * allocates {@code max(capacity + 64, capacity / 0.8)} slots, so per key of capacity:
 * <table>
 *   <caption>off-heap bytes per key</caption>
 *   <tr><th>algorithm</th><th>state words</th><th>slot</th><th>per key at load 0.8</th></tr>
 *   <tr><td>token bucket (GCRA)</td><td>1</td><td>24 B</td><td>30 B</td></tr>
 *   <tr><td>fixed window</td><td>1</td><td>24 B</td><td>30 B</td></tr>
 *   <tr><td>sliding window, k sub-windows</td><td>k + 2</td><td>8k + 32 B (112 B for k = 10)</td>
 *       <td>10k + 40 B (140 B for k = 10)</td></tr>
 *   <tr><td>concurrency</td><td>1</td><td>24 B</td><td>30 B</td></tr>
 *   <tr><td>quota</td><td>1</td><td>24 B</td><td>30 B</td></tr>
 *   <tr><td>cardinality</td><td>1 per parent + 1 per (parent, member)</td><td>24 B + 24 B</td>
 *       <td>30 B per parent + 30 B per member (both tables hold {@code capacity})</td></tr>
 * </table>
 *
 * <p>Composite decisions ({@link #tryAcquireAll}) are atomic; see the comment above it for the
 * protocol. Per-key overrides ({@link Limiter#override(long, long)}) may raise an overridable
 * window or concurrency limit to {@value #OVERRIDE_HEADROOM} times N (its state layout is sized for
 * that); token buckets and quotas may be raised to {@link Limit#MAX_PERMITS}. Thread-safe; see
 * {@link LimiterEngine} for the close contract.
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
            case CONCURRENCY:
                return new ConcurrencyKernel(limit, layout);
            case QUOTA:
                return new QuotaKernel(limit);
            case CARDINALITY:
                return new CardinalityKernel(limit);
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

    /*
     * Composite decisions: optimistic read-only check, then ordered commit with refund.
     *
     * 1. Validate: every check's limiter belongs to this engine (else IllegalArgumentException) and
     *    every key is resolved to its slot (claiming a new key's slot consumes nothing; a full
     *    table configured to reject throws here). Nothing has been taken yet.
     * 2. Peek: every kernel decides read-only at "now". If any check denies, the request is denied
     *    with nothing consumed; the decision names the denying check with the longest retry-after.
     *    This is the common way a composite is denied.
     * 3. Commit: take the permits check by check, exact-refund kinds first (windows, quotas,
     *    concurrency), then token buckets, then cardinality (Kernel.commitOrder). If a check now
     *    denies - another thread took the last permits between peek and commit - every permit taken
     *    so far is refunded and the request is denied, naming that check.
     *
     * Refunds are exact for counting kernels (they subtract from the sub-window, window, epoch or
     * generation they added to). A token bucket's refund is exact while its word is unchanged; if
     * another caller moved it in between, the refund is skipped rather than risk over-admission
     * (EXACTNESS.md section 2). A cardinality admission is never taken back. Because those kinds
     * commit last, a request with at most one of them never refunds it: for such requests a denial
     * leaves nothing consumed, always. With two or more token-bucket or cardinality checks, a lost
     * race can leave at most that request's own permits consumed in them, never an over-admission.
     *
     * The allowed path allocates nothing: checks carry their slots and tokens (Checks.engineSlot,
     * Checks.token), and the decision is assembled from locals.
     */
    @Override
    public boolean tryAcquireAll(Checks checks, long nowNanos, Decision into) {
        checkOpen();
        final int n = checks.size();
        for (int i = 0; i < n; i++) {
            owned(checks.limiter(i), i);
        }
        for (int i = 0; i < n; i++) {
            checks.token(i, 0L);
            ((OffHeapLimiter) checks.limiter(i)).resolve(checks, i);
        }
        int worst = -1;
        long worstRetry = -1;
        for (int i = 0; i < n; i++) {
            OffHeapLimiter l = (OffHeapLimiter) checks.limiter(i);
            if (checks.engineSlot(i) == OffHeapLimiter.SLOT_SKIP) {
                continue;
            }
            long retry = l.deniedOutright(checks, i) ? Decision.NEVER : l.peek(checks, i, nowNanos, null);
            if (retry != 0 && retry > worstRetry) {
                worst = i;
                worstRetry = retry;
            }
        }
        if (worst >= 0) {
            if (into != null) {
                // the denial as first seen; a second peek refines it, but another thread may have
                // released permits in between, in which case that peek admits and writes nothing
                OffHeapLimiter l = (OffHeapLimiter) checks.limiter(worst);
                into.set(Outcome.LIMITED, l.limit(), worst, 0, worstRetry, worstRetry);
                l.peek(checks, worst, nowNanos, into);
                into.set(into.outcome(), into.limit(), worst, into.remaining(), into.retryAfterNanos(),
                        into.resetAfterNanos());
            }
            return false;
        }
        Limit bestLimit = null;
        int best = -1;
        long bestRemaining = Long.MAX_VALUE;
        long bestReset = 0;
        for (int order = 0; order <= 2; order++) {
            for (int i = 0; i < n; i++) {
                OffHeapLimiter l = (OffHeapLimiter) checks.limiter(i);
                if (l.commitOrder(checks, i) != order) {
                    continue;
                }
                long token = l.commit(checks, i, nowNanos, into);
                if (token == Kernel.DENIED) {
                    refundAll(checks, n, nowNanos);
                    if (into != null) {
                        into.set(into.outcome(), into.limit(), i, into.remaining(), into.retryAfterNanos(),
                                into.resetAfterNanos());
                    }
                    return false;
                }
                checks.token(i, token);
                if (into != null && (best < 0 || into.remaining() < bestRemaining)) {
                    best = i;
                    bestLimit = into.limit();
                    bestRemaining = into.remaining();
                    bestReset = into.resetAfterNanos();
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!((OffHeapLimiter) checks.limiter(i)).isConcurrency()) {
                checks.token(i, 0L);
            }
        }
        if (into != null) {
            if (best >= 0) {
                into.set(Outcome.ALLOWED, bestLimit, best, bestRemaining, 0L, bestReset);
            } else {
                into.set(n == 0 ? Outcome.ALLOWED : Outcome.TABLE_FULL_ALLOWED,
                        n == 0 ? null : checks.limiter(0).limit(), n == 0 ? -1 : 0, 0, 0L, 0L);
            }
        }
        return true;
    }

    private static void refundAll(Checks checks, int n, long now) {
        for (int i = 0; i < n; i++) {
            long token = checks.token(i);
            if (token != 0L) {
                ((OffHeapLimiter) checks.limiter(i)).refund(checks, i, token, now);
                checks.token(i, 0L);
            }
        }
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
            long token = checks.token(i);
            if (token != 0L && l.isConcurrency()) {
                checks.token(i, 0L);
                l.release((int) checks.engineSlot(i), checks.permits(i), token, nowNanos);
            }
        }
    }

    private OffHeapLimiter owned(Limiter limiter, int i) {
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
