package dev.limiter.policy.dsl;

import java.util.List;
import java.util.Objects;

/**
 * A per-key override written in a policy file: {@code raise RULE to N for "key"...} gives one key
 * its own limit, {@code lift RULE for "key"...} stops a lifted-when-verified rule counting it.
 *
 * @param kind raise or lift
 * @param rule the rule's name
 * @param permits the raised permits; 0 for a lift
 * @param key the key's part values, one per key part of the rule, in order
 */
public record KeyOverride(Kind kind, String rule, long permits, List<String> key) {
    /** What the override does. */
    public enum Kind {
        /** Gives the key its own limit of {@code permits}. */
        RAISE,
        /** Lifts a lifted-when-verified rule for the key. */
        LIFT
    }

    /** Copies {@code key} and checks that nothing is null. */
    public KeyOverride {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rule, "rule");
        key = List.copyOf(key);
    }
}
