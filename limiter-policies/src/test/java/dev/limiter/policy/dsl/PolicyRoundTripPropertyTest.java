package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * The printer and the parser are inverses on the model: for generated valid policies,
 * {@code parse(print(p))} equals {@code p}, and printing the result again gives the same text.
 */
class PolicyRoundTripPropertyTest {
    /** Constructs that at least one policy in twenty must use, so the property covers them. */
    private static final List<String> CONSTRUCTS = List.of("catch-all", " or ", "or-shared ", "or-refuse ",
            " substitute ", "query ", "shared \"", "(", "member ",
            "\"\n    shadow\n", "        shadow\n", "        wait ");
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000);

    @Test
    void parsingThePrintedPolicyGivesAnEqualPolicy() {
        Set<String> distinct = new HashSet<>();
        Map<String, Integer> covered = new TreeMap<>();
        // QuickTheories skips a few duplicate examples; ask for more so that at least EXAMPLES distinct ones run.
        qt().withExamples(EXAMPLES + EXAMPLES / 10).forAll(RandomPolicies.policies()).checkAssert(p -> {
            String text = PolicyPrinter.print(p);
            if (distinct.add(text)) {
                for (String construct : CONSTRUCTS) {
                    if (text.contains(construct)) {
                        covered.merge(construct, 1, Integer::sum);
                    }
                }
            }
            Policy back = parse(text);
            assertEquals(p, back, () -> "printed as:\n" + text);
            assertEquals(text, PolicyPrinter.print(back));
        });
        assertTrue(distinct.size() >= EXAMPLES, () -> "checked only " + distinct.size() + " distinct policies");
        for (String construct : CONSTRUCTS) {
            assertTrue(covered.getOrDefault(construct, 0) >= EXAMPLES / 20,
                    () -> "only " + covered.getOrDefault(construct, 0) + " policies use '" + construct + "'");
        }
        System.out.println("round trip: " + distinct.size() + " distinct generated policies; policies per construct: "
                + covered.toString().replace("\n", "\\n"));
    }

    private static Policy parse(String text) {
        try {
            return PolicyParser.parse("generated.policy", text).policy();
        } catch (InvalidPolicyException e) {
            throw new AssertionError("the printed policy does not parse:\n" + e.getMessage() + "\n--- text:\n" + text, e);
        }
    }
}
