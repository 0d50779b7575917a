package dev.limiter.policy.dsl;

import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each key source and missing-key choice of the language binds to the {@link KeyPart} the model
 * builds for it, and prints back in canonical form.
 */
class KeyBindingTest {
    private static Rule rule(String key, String extra) throws InvalidPolicyException {
        String text = "policy p {\n    rule a {\n" + extra + "        route * /v3/grants/{grant_id}/**\n        key " + key
                + "\n        limit fixed-window 10 per 1s\n        source \"d\" row r\n    }\n}\n";
        return PolicyParser.parse("k.policy", text).policy().rule("a");
    }

    private static void binds(String key, KeyPart expected) throws InvalidPolicyException {
        Rule r = rule(key, "");
        assertEquals(List.of(expected), r.key(), key);
        String printed = PolicyPrinter.print(PolicyParser.parse("k.policy", "policy p {\n    rule a {\n"
                + "        route * /v3/grants/{grant_id}/**\n        key " + key
                + "\n        limit fixed-window 10 per 1s\n        source \"d\" row r\n    }\n}\n").policy());
        assertTrue(printed.contains("        key " + key + "\n"), () -> key + " printed as:\n" + printed);
    }

    @Test
    void sources() throws InvalidPolicyException {
        binds("query client_id", KeyPart.queryParameter("client_id"));
        binds("shared \"project\"", KeyPart.shared("project"));
        binds("{grant_id}", KeyPart.pathVariable("grant_id"));
        binds("header Authorization", KeyPart.header("Authorization"));
    }

    @Test
    void missingKeyChoices() throws InvalidPolicyException {
        binds("header Authorization or-refuse 401 \"API key required\"",
                KeyPart.header("Authorization").orRefuse(401, "API key required"));
        binds("header Api-Key or-shared \"anonymous\"", KeyPart.header("Api-Key").orShared("anonymous"));
        binds("header Api-Key or client-address", KeyPart.header("Api-Key").orElse(KeyPart.clientAddress()));
        binds("header Authorization or query client_id or-refuse 401 \"no key\"",
                KeyPart.header("Authorization").orElse(KeyPart.queryParameter("client_id")).orRefuse(401, "no key"));
        binds("{grant_id} substitute \"me\" with (header Authorization or-refuse 401 \"no token\")",
                KeyPart.pathVariable("grant_id").substitute("me", KeyPart.header("Authorization")
                        .orRefuse(401, "no token")));
        binds("header A substitute \"me\" with header B or (attribute c substitute \"x\" with {grant_id}) or-shared \"s\"",
                KeyPart.header("A").substitute("me", KeyPart.header("B"))
                        .orElse(KeyPart.attribute("c").substitute("x", KeyPart.pathVariable("grant_id")))
                        .orShared("s"));
    }

    @Test
    void aChoiceAfterFallbacksAppliesToTheLastOne() throws InvalidPolicyException {
        KeyPart k = rule("header A or header B or-refuse 403 \"m\"", "").key().get(0);
        assertEquals(400, k.refuseStatus());
        assertEquals(403, k.fallback().refuseStatus());
        assertEquals("m", k.fallback().refuseMessage());
    }

    @Test
    void catchAll() throws InvalidPolicyException {
        Rule r = rule("{grant_id}", "        catch-all\n");
        assertTrue(r.catchAll());
        assertEquals("/v3/grants/{grant_id}/**", r.routes().get(0).template().toString());
        assertFalse(rule("{grant_id}", "").catchAll());
        assertTrue(PolicyPrinter.print(PolicyParser.parse("k.policy", PolicyPrinter.print(
                dev.limiter.policy.Policy.named("p").rule(r).build())).policy()).contains("        catch-all\n"));
    }

    @Test
    void parenthesesNestAsDeepAsTheModel() {
        StringBuilder deep = new StringBuilder("header A");
        for (int i = 0; i < RuleClauseParser.MAX_NESTING + 1; i++) {
            deep.append(" or (header B").append(i);
        }
        deep.append(")".repeat(RuleClauseParser.MAX_NESTING + 1));
        List<String> errors = PolicyValidatorTest.errors("    rule a {\n        route * /a\n        key " + deep
                + "\n        limit fixed-window 10 per 1s\n        source \"d\" row r\n    }\n");
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.get(0).contains("expected a key part without parentheses (they nest at most 8 deep), found '('"),
                errors::toString);
    }
}
