package dev.limiter;

import java.time.Duration;
import java.util.Objects;

/**
 * An immutable limit: N permits per period under one {@link Algorithm}, with a name that
 * identifies it in decisions and policies.
 *
 * <p>Built with the static factories, each returning a {@link Builder}:
 *
 * <pre>{@code
 * Limit calls = Limit.tokenBucket("api-calls", 5_000, Duration.ofHours(1)).build();
 * Limit imap  = Limit.fixedWindow("imap", 240, Duration.ofMinutes(1)).fixed().build();
 * }</pre>
 *
 * <p>{@link Builder#build()} validates everything and throws {@link IllegalArgumentException}
 * with a message naming the field for zero or negative permits, periods, bursts and hold times.
 * Two limits are equal when every field is equal.
 */
public final class Limit {
    /** The largest number of permits a limit may have: 2<sup>40</sup>, about 1.1&times;10<sup>12</sup>. */
    public static final long MAX_PERMITS = 1L << 40;
    /** The largest number of sub-windows a sliding window may have. */
    public static final int MAX_SUB_WINDOWS = 64;
    /** Sub-windows of a sliding window when none are given. */
    public static final int DEFAULT_SUB_WINDOWS = 10;

    private final String name;
    private final Algorithm algorithm;
    private final long permits;
    private final long periodNanos;
    private final long burst;
    private final int subWindows;
    private final long maxHoldNanos;
    private final boolean overridable;

    private Limit(Builder b) {
        this.name = b.name;
        this.algorithm = b.algorithm;
        this.permits = b.permits;
        this.periodNanos = b.periodNanos;
        this.burst = b.burst == 0 ? b.permits : b.burst;
        this.subWindows = b.algorithm == Algorithm.SLIDING_WINDOW
                ? (b.subWindows == 0 ? DEFAULT_SUB_WINDOWS : b.subWindows) : 0;
        this.maxHoldNanos = b.maxHoldNanos;
        this.overridable = b.overridable;
    }

    /** A token bucket (GCRA) granting {@code permits} per {@code period}, burst = permits unless set. */
    public static Builder tokenBucket(String name, long permits, Duration period) {
        return new Builder(name, Algorithm.TOKEN_BUCKET, permits, required(name, period));
    }

    /** A fixed window of {@code permits} per aligned {@code period}. */
    public static Builder fixedWindow(String name, long permits, Duration period) {
        return new Builder(name, Algorithm.FIXED_WINDOW, permits, required(name, period));
    }

    /** A strict sliding window of {@code permits} in every {@code period}. */
    public static Builder slidingWindow(String name, long permits, Duration period) {
        return new Builder(name, Algorithm.SLIDING_WINDOW, permits, required(name, period));
    }

    /** At most {@code permits} leases held at once, each reclaimed after {@code maxHold}. */
    public static Builder concurrency(String name, long permits, Duration maxHold) {
        Builder b = new Builder(name, Algorithm.CONCURRENCY, permits, required(name, maxHold));
        return b.maxHold(maxHold);
    }

    /** A total of {@code permits} that only an operator resets or raises. */
    public static Builder quota(String name, long permits) {
        return new Builder(name, Algorithm.QUOTA, permits, null);
    }

    /** At most {@code members} distinct member keys admitted under each parent key. */
    public static Builder cardinality(String name, long members) {
        return new Builder(name, Algorithm.CARDINALITY, members, null);
    }

    private static Duration required(String name, Duration period) {
        if (period == null) {
            throw new NullPointerException("limit '" + name + "': period must not be null");
        }
        return period;
    }

    /** @return the name that identifies this limit in decisions, policies and overrides */
    public String name() {
        return name;
    }

    /** @return the algorithm */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** @return N, the permits per period (or in flight, or in total) */
    public long permits() {
        return permits;
    }

    /** @return T in nanoseconds; 0 for limits without a period (quota, cardinality) */
    public long periodNanos() {
        return periodNanos;
    }

    /** @return T, or {@link Duration#ZERO} for limits without a period */
    public Duration period() {
        return Duration.ofNanos(periodNanos);
    }

    /** @return the most permits grantable at one instant: the burst for a token bucket, else N */
    public long burst() {
        return burst;
    }

    /** @return k, the sub-windows of a sliding window; 0 for other algorithms */
    public int subWindows() {
        return subWindows;
    }

    /** @return the maximum hold time of a concurrency lease in nanoseconds; 0 for other algorithms */
    public long maxHoldNanos() {
        return maxHoldNanos;
    }

    /** @return false when the limit refuses per-key overrides (for example a provider's hard limit) */
    public boolean overridable() {
        return overridable;
    }

    /**
     * @return the largest {@code permits} one request can ever be granted under this limit; a
     *     request for more is refused at once as unsatisfiable
     */
    public long maxPermitsPerRequest() {
        return burst;
    }

    /**
     * @return a copy of this limit with N = {@code newPermits} and every other field unchanged (a
     *     token bucket whose burst was N keeps burst = N; an explicit burst stays as it was); used
     *     for per-key overrides
     * @throws IllegalArgumentException when {@code newPermits} is outside [1, {@link #MAX_PERMITS}]
     */
    public Limit withPermits(long newPermits) {
        Builder b = new Builder(name, algorithm, newPermits, null);
        b.periodNanos = periodNanos;
        b.burst = burst == permits ? 0 : burst;
        b.subWindows = subWindows;
        b.maxHoldNanos = maxHoldNanos;
        b.overridable = overridable;
        return b.build();
    }

    /** @return a builder holding this limit's fields, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(name, algorithm, permits, null);
        b.periodNanos = periodNanos;
        b.burst = burst == permits ? 0 : burst;
        b.subWindows = subWindows;
        b.maxHoldNanos = maxHoldNanos;
        b.overridable = overridable;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Limit)) {
            return false;
        }
        Limit other = (Limit) o;
        return permits == other.permits
                && periodNanos == other.periodNanos
                && burst == other.burst
                && subWindows == other.subWindows
                && maxHoldNanos == other.maxHoldNanos
                && overridable == other.overridable
                && algorithm == other.algorithm
                && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, algorithm, permits, periodNanos, burst, subWindows, maxHoldNanos, overridable);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Limit[").append(name).append(": ")
                .append(algorithm.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(permits);
        if (periodNanos > 0 && algorithm != Algorithm.CONCURRENCY) {
            sb.append(" per ").append(Duration.ofNanos(periodNanos));
        }
        if (burst != permits) {
            sb.append(", burst ").append(burst);
        }
        if (subWindows > 0) {
            sb.append(", ").append(subWindows).append(" sub-windows");
        }
        if (maxHoldNanos > 0) {
            sb.append(", max hold ").append(Duration.ofNanos(maxHoldNanos));
        }
        if (!overridable) {
            sb.append(", fixed");
        }
        return sb.append(']').toString();
    }

    /** Collects and validates a limit's fields; not thread-safe, reusable after {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final Algorithm algorithm;
        private final long permits;
        private long periodNanos;
        private long burst;
        private int subWindows;
        private long maxHoldNanos;
        private boolean overridable = true;

        private Builder(String name, Algorithm algorithm, long permits, Duration period) {
            this.name = name;
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            this.permits = permits;
            this.periodNanos = period == null ? 0 : saturatedNanos(period, "period");
        }

        /** Sets the token bucket's burst (the permits available at once after idling); default N. */
        public Builder burst(long burst) {
            if (algorithm != Algorithm.TOKEN_BUCKET) {
                throw new IllegalArgumentException("burst applies to token buckets only, not " + algorithm);
            }
            if (burst < 1 || burst > MAX_PERMITS) {
                throw new IllegalArgumentException("burst must be in [1, " + MAX_PERMITS + "], was " + burst);
            }
            this.burst = burst;
            return this;
        }

        /** Sets k, the sliding window's sub-windows, in [1, {@value #MAX_SUB_WINDOWS}]; default {@value #DEFAULT_SUB_WINDOWS}. */
        public Builder subWindows(int k) {
            if (algorithm != Algorithm.SLIDING_WINDOW) {
                throw new IllegalArgumentException("sub-windows apply to sliding windows only, not " + algorithm);
            }
            if (k < 1 || k > MAX_SUB_WINDOWS) {
                throw new IllegalArgumentException("sub-windows must be in [1, " + MAX_SUB_WINDOWS + "], was " + k);
            }
            this.subWindows = k;
            return this;
        }

        /** Sets a concurrency lease's maximum hold time, after which its permit is reclaimed. */
        public Builder maxHold(Duration maxHold) {
            if (algorithm != Algorithm.CONCURRENCY) {
                throw new IllegalArgumentException("max hold applies to concurrency limits only, not " + algorithm);
            }
            this.maxHoldNanos = saturatedNanos(maxHold, "max hold");
            this.periodNanos = this.maxHoldNanos;
            return this;
        }

        /** Marks the limit as refusing per-key overrides (raises and lowers fail with an error). */
        public Builder fixed() {
            this.overridable = false;
            return this;
        }

        /**
         * @return the validated limit
         * @throws IllegalArgumentException naming the offending field
         */
        public Limit build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("limit name must not be blank");
            }
            if (permits < 1 || permits > MAX_PERMITS) {
                throw new IllegalArgumentException(
                        "limit '" + name + "': permits must be in [1, " + MAX_PERMITS + "], was " + permits);
            }
            boolean timed = algorithm == Algorithm.TOKEN_BUCKET || algorithm == Algorithm.FIXED_WINDOW
                    || algorithm == Algorithm.SLIDING_WINDOW || algorithm == Algorithm.CONCURRENCY;
            if (timed && periodNanos <= 0) {
                throw new IllegalArgumentException(
                        "limit '" + name + "': period must be positive, was " + periodNanos + "ns");
            }
            if (algorithm == Algorithm.SLIDING_WINDOW) {
                int k = subWindows == 0 ? DEFAULT_SUB_WINDOWS : subWindows;
                if (periodNanos < k) {
                    throw new IllegalArgumentException("limit '" + name + "': period " + periodNanos
                            + "ns is shorter than its " + k + " sub-windows");
                }
            }
            return new Limit(this);
        }

        private static long saturatedNanos(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            try {
                return d.toNanos();
            } catch (ArithmeticException tooLong) {
                return Long.MAX_VALUE;
            }
        }
    }
}
