package dev.limiter.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.engine.OffHeapEngine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

import java.time.Duration;

/**
 * The one place where every limiter under test is configured, so that the benchmarks and the
 * {@link SanityCheck} build exactly the same objects.
 *
 * <p>Two settings exist. {@link Setting#ALLOWED}: 10<sup>9</sup> permits per second with a burst
 * of one second, a rate no benchmark on one machine can reach, so every call is granted.
 * {@link Setting#DENIED}: one permit per day, taken at once by {@link #drain}, so every later call
 * within the day is refused. Competitors are configured as their documentation shows: Bucket4j
 * with its default (millisecond) time meter and {@code refillGreedy}, Resilience4j's
 * {@code AtomicRateLimiter} with a zero timeout, Guava's {@code RateLimiter.create}.
 *
 * <p>Not thread-safe to build; every object it returns is thread-safe.
 */
public final class Contenders {
    /** Permits per period in the allowed setting. */
    public static final long ALLOWED_PERMITS = 1_000_000_000L;
    /** Period of the allowed setting. */
    public static final Duration ALLOWED_PERIOD = Duration.ofSeconds(1);
    /** Period of the denied setting, in which exactly one permit exists. */
    public static final Duration DENIED_PERIOD = Duration.ofDays(1);
    /** Name of the engine limit under test. */
    public static final String LIMIT_NAME = "bench";

    /** Which outcome a configuration must produce on every call. */
    public enum Setting {
        /** The rate is never reached: every call must be granted. */
        ALLOWED,
        /** The limit is reached and stays reached: every call must be refused. */
        DENIED
    }

    private Contenders() {
    }

    private static long permits(Setting s) {
        return s == Setting.ALLOWED ? ALLOWED_PERMITS : 1;
    }

    private static Duration period(Setting s) {
        return s == Setting.ALLOWED ? ALLOWED_PERIOD : DENIED_PERIOD;
    }

    /**
     * @return this engine with one token-bucket limit named {@link #LIMIT_NAME} over {@code capacity}
     *     keys, set up as a user whose keys are 64-bit ids sets it up: {@code longKeysOnly()}, so each
     *     slot holds the key itself (16 bytes a slot), and idle-key eviction on (the default)
     */
    public static OffHeapEngine engine(Setting s, long capacity) {
        Limit limit = Limit.tokenBucket(LIMIT_NAME, permits(s), period(s)).build();
        return OffHeapEngine.builder().clock(Clock.system()).longKeysOnly().limit(limit, capacity).build();
    }

    /** @return {@link #engine} with idle-key eviction off: a table that holds {@code capacity} keys for good */
    public static OffHeapEngine engineHeldForGood(Setting s, long capacity) {
        Limit limit = Limit.tokenBucket(LIMIT_NAME, permits(s), period(s)).build();
        return OffHeapEngine.builder().clock(Clock.system()).longKeysOnly().evictIdleKeys(false).limit(limit, capacity)
                .build();
    }

    /**
     * @return {@link #engine} with the opt-in cached clock (1 ms tick) over the system clock, as a user
     *     enables it with {@code OffHeapEngine.Builder#cachedClock()}: its ticker thread publishes the time
     */
    public static OffHeapEngine cachedClockEngine(Setting s, long capacity) {
        Limit limit = Limit.tokenBucket(LIMIT_NAME, permits(s), period(s)).build();
        return OffHeapEngine.builder().clock(Clock.system()).cachedClock().longKeysOnly().limit(limit, capacity).build();
    }

    /** @return the Bucket4j bandwidth of setting {@code s} (greedy refill, as documented) */
    public static Bandwidth bandwidth(Setting s) {
        return Bandwidth.builder().capacity(permits(s)).refillGreedy(permits(s), period(s)).build();
    }

    /** @return a local Bucket4j bucket with the given synchronisation strategy */
    public static Bucket bucket4j(Setting s, SynchronizationStrategy strategy) {
        return bucket4j(bandwidth(s), strategy);
    }

    /** @return a local Bucket4j bucket over a shared, pre-built bandwidth */
    public static Bucket bucket4j(Bandwidth bandwidth, SynchronizationStrategy strategy) {
        return Bucket.builder().addLimit(bandwidth).withSynchronizationStrategy(strategy).build();
    }

    /** @return the Resilience4j configuration of setting {@code s}: zero timeout, so a refusal never waits */
    public static RateLimiterConfig resilience4jConfig(Setting s) {
        return RateLimiterConfig.custom()
                .limitForPeriod((int) permits(s))
                .limitRefreshPeriod(period(s))
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /** @return Resilience4j's lock-free limiter */
    public static AtomicRateLimiter resilience4j(Setting s) {
        return new AtomicRateLimiter("bench", resilience4jConfig(s));
    }

    /** @return Guava's smooth-bursty limiter at the setting's rate */
    public static RateLimiter guava(Setting s) {
        return RateLimiter.create(guavaRate(s));
    }

    /** @return the setting's rate in permits per second, as Guava takes it */
    public static double guavaRate(Setting s) {
        return (double) permits(s) / period(s).toSeconds();
    }

    /** Takes every permit of one engine key, so that the key stays denied for the rest of the day. */
    public static void drain(dev.limiter.RateLimiter limiter, long key) {
        for (int i = 0; i < 4 && limiter.tryAcquire(key); i++) {
            // the denied setting holds exactly one permit
        }
    }

    /** Takes every permit of a Bucket4j bucket. */
    public static void drain(Bucket bucket) {
        for (int i = 0; i < 4 && bucket.tryConsume(1); i++) {
            // one permit
        }
    }

    /** Takes every permit of a Resilience4j limiter. */
    public static void drain(AtomicRateLimiter limiter) {
        for (int i = 0; i < 4 && limiter.acquirePermission(); i++) {
            // one permit
        }
    }

    /** Takes every permit of a Guava limiter. */
    public static void drain(RateLimiter limiter) {
        for (int i = 0; i < 4 && limiter.tryAcquire(); i++) {
            // one permit
        }
    }
}
