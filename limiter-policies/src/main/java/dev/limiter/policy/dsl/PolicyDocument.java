package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one policy file holds: the {@link Policy}, the per-key overrides it declares, and its
 * comments (those before {@code policy}, and each rule's, by rule name) so that formatting keeps them.
 *
 * @param policy the validated policy
 * @param overrides the raises and lifts, in file order
 * @param comments the comment lines before {@code policy}, without their {@code #}
 * @param ruleComments each rule's comment lines (before it, or inside its block), by rule name
 */
public record PolicyDocument(Policy policy, List<KeyOverride> overrides, List<String> comments,
                             Map<String, List<String>> ruleComments) {

    /** Copies the lists and map and checks that nothing is null. */
    public PolicyDocument {
        Objects.requireNonNull(policy, "policy");
        overrides = List.copyOf(overrides);
        comments = List.copyOf(comments);
        ruleComments = Map.copyOf(ruleComments);
    }

    /** @return a document holding only {@code policy}: no overrides, no comments */
    public static PolicyDocument of(Policy policy) {
        return new PolicyDocument(policy, List.of(), List.of(), Map.of());
    }

    /**
     * Applies the overrides to a gate built for this document's policy: each raise with
     * {@link PolicyGate#raise}, each lift with {@link PolicyGate#lift}.
     */
    public void applyOverrides(PolicyGate gate) {
        for (KeyOverride o : overrides) {
            String[] key = o.key().toArray(new String[0]);
            if (o.kind() == KeyOverride.Kind.RAISE) {
                gate.raise(o.rule(), o.permits(), key);
            } else {
                gate.lift(o.rule(), key);
            }
        }
    }
}
