package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * The printer and the parser are inverses on the model: for generated valid policies,
 * {@code parse(print(p))} equals {@code p}, and printing the result again gives the same text.
 */
class PolicyRoundTripPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);

    @Test
    void parsingThePrintedPolicyGivesAnEqualPolicy() {
        Set<String> distinct = new HashSet<>();
        // QuickTheories skips a few duplicate examples; ask for more so that at least EXAMPLES distinct ones run.
        qt().withExamples(EXAMPLES + EXAMPLES / 10).forAll(RandomPolicies.policies()).checkAssert(p -> {
            String text = PolicyPrinter.print(p);
            distinct.add(text);
            Policy back = parse(text);
            assertEquals(p, back, () -> "printed as:\n" + text);
            assertEquals(text, PolicyPrinter.print(back));
        });
        assertTrue(distinct.size() >= EXAMPLES, () -> "checked only " + distinct.size() + " distinct policies");
        System.out.println("round trip: " + distinct.size() + " distinct generated policies");
    }

    private static Policy parse(String text) {
        try {
            return PolicyParser.parse("generated.policy", text).policy();
        } catch (InvalidPolicyException e) {
            throw new AssertionError("the printed policy does not parse:\n" + e.getMessage() + "\n--- text:\n" + text, e);
        }
    }
}
