package dev.limiter.redis;

import dev.limiter.Clock;
import dev.limiter.Limit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How a {@link FleetLimiter} decides one limit: its script, its time base, its lease (null when not
 * leased) with the keys it holds batches for, and its local fallback (null unless failing open).
 * Immutable but for the key map (a ConcurrentHashMap: a lookup takes no lock).
 */
final class FleetRoute {
    final LimitScript script;
    final boolean serverTime;
    final LeaseScript lease;
    final long maxBatch;
    final LocalFallback fallback;
    final RedisDecision degradedDenial;
    private final Clock callerClock;
    private final long maxKeys;
    private final ConcurrentHashMap<String, LeasedKey> keys = new ConcurrentHashMap<>();

    FleetRoute(LimitScript script, TimeMode mode, Clock callerClock, LeaseScript lease, long maxBatch, long maxKeys,
               LocalFallback fallback) {
        this.script = script;
        this.serverTime = mode == TimeMode.SERVER;
        this.callerClock = callerClock;
        this.lease = lease;
        this.maxBatch = maxBatch;
        this.maxKeys = maxKeys;
        this.fallback = fallback;
        this.degradedDenial = RedisDecision.unavailable(script.limit, new RedisBackendException("limit '"
                + script.limit.name() + "': Redis is not answering; denied without asking it until a probe is answered", null));
    }

    Limit limit() {
        return script.limit;
    }

    /** @return the local time of a decision: the caller's clock in CALLER mode, the monotonic clock in SERVER mode */
    long now() {
        return serverTime ? System.nanoTime() : callerClock.nanoTime();
    }

    /** @return the time argument of a script call at local time s */
    String time(long s) {
        return serverTime ? "server" : LimitScript.hex(s);
    }

    /** @return the key's leasing state, created on first use; null when the limit is not leased or the table is full */
    LeasedKey leased(String key) {
        if (lease == null) {
            return null;
        }
        LeasedKey k = keys.get(key);
        if (k == null && keys.size() < maxKeys) {
            k = keys.computeIfAbsent(key, unused -> new LeasedKey());
        }
        return k;
    }

    /** @return the key's leasing state without creating it (the allocation-free fast path) */
    LeasedKey existing(String key) {
        return lease == null ? null : keys.get(key);
    }
}
