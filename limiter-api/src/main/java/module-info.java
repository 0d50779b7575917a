/**
 * The types users code against: limits, limiters, decisions, composite checks, leases and clocks.
 * Engines plug in through {@link dev.limiter.LimiterEngineFactory}.
 */
@SuppressWarnings("module") // the engine modules named below are not on the API's own module path
module dev.limiter.api {
    exports dev.limiter;
    // the writers of Decision and Checks' engine records: engines only, never users
    exports dev.limiter.internal to dev.limiter.engine, dev.limiter.policies;

    uses dev.limiter.LimiterEngineFactory;
}
