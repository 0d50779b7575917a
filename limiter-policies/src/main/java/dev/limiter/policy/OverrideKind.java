package dev.limiter.policy;

/** How operators may change a rule's limit for one key (a tenant, a developer). */
public enum OverrideKind {
    /** The limit may be raised (or lowered) per key: "we work with developers to increase this limit". */
    RAISABLE,
    /** The limit applies until the key is verified, and is then lifted entirely. */
    LIFTED_WHEN_VERIFIED,
    /** The limit refuses every override: "a restriction imposed by IMAP that cannot be lifted". */
    FIXED
}
