/**
 * The types users code against: limits, limiters, decisions, composite checks, leases and clocks.
 * Engines plug in through {@link dev.limiter.LimiterEngineFactory}.
 */
module dev.limiter.api {
    exports dev.limiter;

    uses dev.limiter.LimiterEngineFactory;
}
