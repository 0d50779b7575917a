/**
 * Declarative rate-limit policies over any engine: the route matcher, the policy gate, and the
 * shipped provider tables.
 */
module dev.limiter.policies {
    requires transitive dev.limiter.api;

    exports dev.limiter.policy;
    exports dev.limiter.policy.shipped;
    exports dev.limiter.policy.dsl;
}
