/**
 * The types users code against: limits, limiters, decisions, composite checks, leases and clocks.
 * Engines plug in through {@link dev.limiter.LimiterEngineFactory}.
 */
@SuppressWarnings("module") // the modules named below are not on the API's own module path
module dev.limiter.api {
    exports dev.limiter;
    // the writers of Decision and of Checks' engine records: engines (and the policies' held permits), never users
    exports dev.limiter.internal to dev.limiter.engine, dev.limiter.policies, dev.limiter.testkit;

    uses dev.limiter.LimiterEngineFactory;
}
