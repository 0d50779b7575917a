package dev.limiter.policy.shipped;

import dev.limiter.Checks;
import dev.limiter.ManualClock;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.testkit.ReferenceEngine;
import org.junit.jupiter.api.Assumptions;

/**
 * The engines every boundary test runs on: the off-heap engine (skipped, with the reason, for an
 * algorithm or composite decision it does not support yet) and the reference engine.
 */
enum Engines {
    OFF_HEAP {
        @Override
        PolicyGate gate(Policy policy, ManualClock clock) {
            try {
                return PolicyGate.builder(policy).clock(clock).defaultCapacity(1_024).build();
            } catch (IllegalArgumentException e) {
                if (String.valueOf(e.getMessage()).contains("not supported")) {
                    Assumptions.abort("off-heap engine: " + e.getMessage());
                }
                throw e;
            }
        }
    },
    REFERENCE {
        @Override
        PolicyGate gate(Policy policy, ManualClock clock) {
            return PolicyGate.builder(policy).clock(clock)
                    .engine((c, limits, whenFull) -> new ReferenceEngine(c, limits.keySet())).build();
        }
    };

    abstract PolicyGate gate(Policy policy, ManualClock clock);

    /** Skips the test when the gate's engine cannot make composite decisions yet. */
    static PolicyGate requireComposite(PolicyGate gate) {
        try {
            gate.engine().tryAcquireAll(new Checks(), 0, null);
        } catch (UnsupportedOperationException e) {
            gate.close();
            Assumptions.abort("composite decisions: " + e.getMessage());
        }
        return gate;
    }
}
