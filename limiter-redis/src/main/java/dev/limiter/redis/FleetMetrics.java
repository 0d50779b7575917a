package dev.limiter.redis;

/**
 * Counters of one {@link FleetLimiter} since it was built, read at one moment; immutable.
 *
 * @param redisDecisions requests Redis decided (each one round trip, reservations included)
 * @param leasedGrants requests granted from a leased batch, without a round trip
 * @param cachedDenials requests denied by a remembered Redis denial, without a round trip
 * @param reservations batch reservations sent to Redis
 * @param backendFailures requests (and reservations) Redis did not decide
 * @param degradedEntries times the limiter went from healthy to degraded
 * @param recoveries times a probe ended a degraded period
 * @param fallbackDecisions requests decided by the failure mode while degraded
 * @param degraded whether the limiter is degraded now
 */
public record FleetMetrics(long redisDecisions, long leasedGrants, long cachedDenials, long reservations,
                           long backendFailures, long degradedEntries, long recoveries, long fallbackDecisions,
                           boolean degraded) {
}
