package dev.limiter.redis;

import io.lettuce.core.api.StatefulRedisConnection;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/*
 * Whether Redis is answering, as a FleetLimiter sees it, and the way back when it is not.
 *
 * States. HEALTHY: every decision that needs Redis asks it. DEGRADED: entered by the first request
 * Redis did not decide (refused, lost, timed out, an error reply); decisions that need Redis are
 * made by the failure mode without asking it, so a dead or slow server costs no time-out per
 * request. Leased batches are still granted from: they were reserved before.
 *
 * Recovery without restart. While degraded, a request starts a probe (PING, with the limiter's
 * time-out) when none is in flight and the last one ended at least probeInterval ago (real time:
 * it paces network traffic, it decides nothing). The first probe answered PONG makes the state
 * HEALTHY again; Lettuce reconnects by itself, and scripts a restarted server lost are loaded again
 * on their first NOSCRIPT.
 *
 * Memory ordering: `degraded` is volatile (a decision reads it once); the probe is single-flight
 * by CAS on `probing`; `nextProbeAt` is written only by the probe in flight.
 */
/** Redis's health seen by one instance, with the probe that ends a degraded period; thread-safe. */
final class BackendHealth {
    private final StatefulRedisConnection<String, String> connection;
    private final long probeIntervalNanos;
    private final long timeoutNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean degraded;
    private volatile long nextProbeAt;
    final LongAdder failures = new LongAdder();
    final LongAdder degradedEntries = new LongAdder();
    final LongAdder recoveries = new LongAdder();

    BackendHealth(StatefulRedisConnection<String, String> connection, long probeIntervalNanos, long timeoutNanos) {
        this.connection = connection;
        this.probeIntervalNanos = probeIntervalNanos;
        this.timeoutNanos = timeoutNanos;
    }

    /** @return whether decisions that need Redis are made by the failure mode; starts a probe when due */
    boolean degraded() {
        if (!degraded) {
            return false;
        }
        if (System.nanoTime() - nextProbeAt >= 0 && probing.compareAndSet(false, true)) {
            probe();
        }
        return degraded;
    }

    /** Records a request Redis did not decide; the first one of a healthy period makes the state degraded. */
    void failed() {
        failures.increment();
        if (!degraded) {
            synchronized (this) {
                if (!degraded) {
                    nextProbeAt = System.nanoTime() + probeIntervalNanos;
                    degraded = true;
                    degradedEntries.increment();
                }
            }
        }
    }

    /** @return whether the state is degraded now (a metric; starts nothing) */
    boolean isDegraded() {
        return degraded;
    }

    private void probe() {
        java.util.concurrent.CompletableFuture<String> pong;
        try {
            pong = connection.async().ping().toCompletableFuture();
        } catch (RuntimeException sendFailed) {
            pong = java.util.concurrent.CompletableFuture.failedFuture(sendFailed);
        }
        pong.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((reply, error) -> {
            if (error == null && "PONG".equals(reply)) {
                synchronized (this) {
                    if (degraded) {
                        degraded = false;
                        recoveries.increment();
                    }
                }
            }
            nextProbeAt = System.nanoTime() + probeIntervalNanos;
            probing.set(false);
        });
    }
}
