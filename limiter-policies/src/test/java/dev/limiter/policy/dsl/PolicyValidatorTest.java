package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every validation rule, each with its exact message and position. */
class PolicyValidatorTest {
    private static final String SOURCE = "        source \"doc\" row r\n";

    /** @return the error summaries of a file holding {@code rules} (and whatever else) inside a policy block */
    static List<String> errors(String body) {
        String text = "policy p {\n" + body + "}\n";
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicyParser.parse("t.policy", text));
        return e.errors().stream().map(PolicyError::summary).collect(Collectors.toList());
    }

    /** A rule block of {@code clauses} and a source, and (last, so positions above it hold) a key unless one is given. */
    private static String rule(String name, String clauses) {
        return "    rule " + name + " {\n" + clauses + SOURCE + (clauses.contains("key ") ? "" : KEY) + "    }\n";
    }

    private static final String KEY = "        key shared \"all\"\n";

    private static final String ROUTE = "        route * /a/{id}\n";
    private static final String LIMIT = "        limit fixed-window 10 per 1s\n";

    @Test
    void unknownAlgorithm() {
        assertEquals(List.of("t.policy:4:15: unknown algorithm 'leaky-bucket': expected token-bucket, fixed-window,"
                + " sliding-window, concurrency, quota or cardinality"),
                errors(rule("a", ROUTE + "        limit leaky-bucket 10 per 1s\n")));
    }

    @Test
    void ruleShadowedByAnEarlierOne() {
        assertEquals(List.of("t.policy:9:5: rule 'b' is shadowed by earlier rule 'a': in group 'g', 'a' matches every"
                + " request 'b' matches, more specifically"),
                errors(rule("a", "        group g\n        route GET /a/{id}\n" + LIMIT)
                        + rule("b", "        group g\n        route GET /a/*\n" + LIMIT)));
    }

    @Test
    void aRuleWithTheSameTemplateTiesAndIsNotShadowed() throws InvalidPolicyException {
        String text = "policy p {\n" + rule("a", "        group g\n" + ROUTE + LIMIT)
                + rule("b", "        group g\n" + ROUTE + LIMIT) + "}\n";
        assertEquals(2, PolicyParser.parse("t.policy", text).policy().rules().size());
    }

    @Test
    void costAboveTheLimit() {
        assertEquals(List.of("t.policy:3:22: route GET /a costs 300 permits but limit 'a' grants at most 250 at once"),
                errors(rule("a", "        route GET /a cost 300\n        limit token-bucket 250 per 1s\n")));
        assertEquals(List.of("t.policy:3:9: route * /a costs 20 permits but limit 'a' grants at most 10 at once"),
                errors(rule("a", "        route * /a\n" + LIMIT + "        cost 20\n")));
    }

    @Test
    void overrideOnAFixedLimit() {
        assertEquals(List.of("t.policy:9:5: rule 'a' is fixed: its limit refuses overrides, so it cannot be raised"),
                errors(rule("a", ROUTE + "        key {id}\n" + LIMIT + "        override fixed\n")
                        + "    raise a to 500 for \"u1\"\n"));
    }

    @Test
    void liftOfARuleThatIsNotLiftedWhenVerified() {
        assertEquals(List.of("t.policy:8:5: rule 'a' is raisable, not lifted-when-verified, so it cannot be lifted"),
                errors(rule("a", ROUTE + "        key {id}\n" + LIMIT) + "    lift a for \"u1\"\n"));
    }

    @Test
    void raiseOfALiftedWhenVerifiedRule() {
        assertEquals(List.of("t.policy:9:5: rule 'a' is lifted-when-verified: write 'lift', not 'raise'"),
                errors(rule("a", ROUTE + "        key {id}\n" + LIMIT + "        override lifted-when-verified\n")
                        + "    raise a to 5 for \"u1\"\n"));
    }

    @Test
    void overrideOfAnUnknownRule() {
        assertEquals(List.of("t.policy:8:11: 'raise' names no rule of this policy: 'b'"),
                errors(rule("a", ROUTE + LIMIT) + "    raise b to 5\n"));
    }

    @Test
    void overrideWithTheWrongNumberOfKeyValues() {
        assertEquals(List.of("t.policy:8:5: rule 'a' has 1 key part but 2 key values are given"),
                errors(rule("a", ROUTE + "        key {id}\n" + LIMIT) + "    raise a to 5 for \"u1\", \"u2\"\n"));
    }

    @Test
    void duplicateRuleNames() {
        assertEquals(List.of("t.policy:8:10: rule 'a' is declared twice (first at line 2)"),
                errors(rule("a", ROUTE + LIMIT) + rule("a", ROUTE + LIMIT)));
    }

    @Test
    void duplicateLimitNames() {
        assertEquals(List.of("t.policy:10:43: limit name 'a' is already used by rule 'a' (line 2)"),
                errors(rule("a", ROUTE + LIMIT) + rule("b", ROUTE + "        limit fixed-window 10 per 1s name a\n")));
    }

    @Test
    void keyThatNoMatchCanProvide() {
        assertEquals(List.of("t.policy:4:23: key {grant_id} is not a variable of route GET /v3/grants, so no request"
                + " it matches provides it"),
                errors(rule("a", "        route GET /v3/grants\n        key header A, {grant_id}\n" + LIMIT)));
    }

    @Test
    void unknownOverrideKind() {
        assertEquals(List.of("t.policy:5:18: unknown override kind 'sometimes': expected raisable, lifted-when-verified"
                + " or fixed"), errors(rule("a", ROUTE + LIMIT + "        override sometimes\n")));
    }

    @Test
    void missingRouteLimitAndSource() {
        assertEquals(List.of("t.policy:2:5: rule 'a' has no route: add 'route METHODS TEMPLATE'",
                "t.policy:2:5: rule 'a' has no key: add 'key PART, ...', or 'key shared \"BUCKET\"' for one bucket"
                        + " shared by every request",
                "t.policy:2:5: rule 'a' has no limit: add 'limit ALGORITHM PERMITS ...'",
                "t.policy:2:5: rule 'a' cites no source: add 'source \"DOCUMENT\" row ROW'"),
                errors("    rule a {\n    }\n"));
    }

    @Test
    void policyWithoutRules() {
        assertEquals(List.of("t.policy:1:1: policy 'p' has no rules"), errors("    version \"1\"\n"));
    }

    @Test
    void limitOptionsThatDoNotSuitTheAlgorithm() {
        assertEquals(List.of("t.policy:4:9: a fixed-window limit needs 'per DURATION', such as 'per 1s'"),
                errors(rule("a", ROUTE + "        limit fixed-window 10\n")));
        assertEquals(List.of("t.policy:4:9: a concurrency limit needs 'max-hold DURATION', the longest a request may"
                + " hold its permit"), errors(rule("a", ROUTE + "        limit concurrency 10\n")));
        assertEquals(List.of("t.policy:4:38: 'burst' does not apply to a fixed-window limit"),
                errors(rule("a", ROUTE + "        limit fixed-window 10 per 1s burst 5\n")));
        assertEquals(List.of("t.policy:4:24: 'per' does not apply to a quota limit"),
                errors(rule("a", ROUTE + "        limit quota 10 per 1s\n")));
        assertEquals(List.of("t.policy:4:38: 'sub-windows' does not apply to a token-bucket limit"),
                errors(rule("a", ROUTE + "        limit token-bucket 10 per 1s sub-windows 4\n")));
    }

    @Test
    void permitsOutOfRange() {
        assertEquals(List.of("t.policy:4:28: expected permits between 1 and 1099511627776, found 0"),
                errors(rule("a", ROUTE + "        limit fixed-window 0 per 1s\n")));
    }

    @Test
    void subWindowsOutOfRange() {
        assertEquals(List.of("t.policy:4:9: sub-windows must be in [1, 64], was 65"),
                errors(rule("a", ROUTE + "        limit sliding-window 10 per 1s sub-windows 65\n")));
    }

    @Test
    void zeroCosts() {
        assertEquals(List.of("t.policy:3:20: expected a cost of at least 1, found 0"),
                errors(rule("a", "        route * /a cost 0\n" + LIMIT)));
        assertEquals(List.of("t.policy:5:9: expected a cost of at least 1, found 0"),
                errors(rule("a", ROUTE + LIMIT + "        cost 0\n")));
    }

    @Test
    void waitsArePositiveAndCardinalityRulesCannotWait() throws InvalidPolicyException {
        assertEquals(List.of("t.policy:5:9: expected a positive wait such as 50ms (leave 'wait' out not to wait)"),
                errors(rule("a", ROUTE + LIMIT + "        wait 0ms\n")));
        assertEquals(List.of("t.policy:5:9: a cardinality rule cannot wait: a member is admitted or not"),
                errors(rule("a", ROUTE + "        limit cardinality 5\n        wait 1s\n        member {id}\n")));
        assertEquals(List.of("t.policy:6:9: expected one 'wait' (the first is at line 5), found 'wait'"),
                errors(rule("a", ROUTE + LIMIT + "        wait 1s\n        wait 2s\n")));
        Policy p = PolicyParser.parse("t.policy", "policy p {\n" + rule("a", ROUTE + LIMIT + "        wait 250ms\n")
                + "}\n").policy();
        assertEquals(java.time.Duration.ofMillis(250), p.rule("a").maxWait());
    }

    @Test
    void countedRulesTakeNoCost() {
        assertEquals(List.of("t.policy:5:9: a concurrency rule counts requests or members, not costs: its cost must be 1"),
                errors(rule("a", ROUTE + "        limit concurrency 5 max-hold 1m\n        cost 2\n")));
    }

    @Test
    void cardinalityAndMemberParts() {
        assertEquals(List.of("t.policy:4:9: a cardinality rule needs 'member PART': the distinct values it counts"
                + " under each key"), errors(rule("a", ROUTE + "        limit cardinality 100\n")));
        assertEquals(List.of("t.policy:4:9: only a cardinality rule has 'member' parts; this rule's limit is fixed-window"),
                errors(rule("a", ROUTE + "        member {id}\n" + LIMIT)));
    }

    @Test
    void malformedTemplatesMethodsAndMediaTypes() {
        assertEquals(List.of("t.policy:3:17: malformed path template '/a//b' at column 4: empty segment ('//')"),
                errors(rule("a", "        route * /a//b\n" + LIMIT)));
        assertEquals(List.of("t.policy:3:9: route methods 'GET,PO-ST': 'PO-ST' is not an HTTP method"),
                errors(rule("a", "        route GET,PO-ST /a\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:9: condition on Content-Type: 'text' is not a media type like"
                + " 'multipart/form-data'"), errors(rule("a", ROUTE + "        when content-type \"text\"\n" + LIMIT)));
    }

    @Test
    void endpointSegmentsOutOfRange() {
        assertEquals(List.of("t.policy:4:13: expected endpoint segments between 1 and 27, found 0"),
                errors(rule("a", ROUTE + "        key endpoint 0\n" + LIMIT)));
    }

    @Test
    void ruleWithoutAKey() {
        assertEquals(List.of("t.policy:2:5: rule 'a' has no key: add 'key PART, ...', or 'key shared \"BUCKET\"' for"
                + " one bucket shared by every request"), errors("    rule a {\n" + ROUTE + LIMIT + SOURCE + "    }\n"));
    }

    @Test
    void catchAllNamesItsRoutes() {
        assertEquals(List.of("t.policy:2:5: rule 'a' has no route: add 'route METHODS TEMPLATE'; a catch-all rule names"
                + " the endpoints it covers, such as 'route * /**'"), errors(rule("a", "        catch-all\n" + LIMIT)));
    }

    @Test
    void catchAllDisplacedByARegularRuleEverywhere() {
        assertEquals(List.of("t.policy:9:5: catch-all rule 'b' never applies: regular rule 'a' of group 'g' applies to"
                + " every request it matches"),
                errors(rule("a", "        group g\n        route * /a/**\n" + LIMIT)
                        + rule("b", "        group g\n        catch-all\n        route GET /a/{id}\n" + LIMIT)));
        assertEquals(List.of("t.policy:2:5: catch-all rule 'a' never applies: regular rule 'b' applies to every request"
                + " it matches"),
                errors(rule("a", "        catch-all\n        route GET /a/{id}\n" + LIMIT)
                        + rule("b", "        group g\n        route * /a/*\n" + LIMIT)));
    }

    @Test
    void missingKeyChoicesThatCannotApply() {
        assertEquals(List.of("t.policy:4:18: 'or header A' needs a part that can be missing, but {id} never is"),
                errors(rule("a", ROUTE + "        key {id} or header A\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:36: 'or-shared \"x\"' needs a part that can be missing, but endpoint 1"
                + " never is"), errors(rule("a", ROUTE + "        key header A or endpoint 1 or-shared \"x\"\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:22: expected a refusal status between 400 and 499, found 200"),
                errors(rule("a", ROUTE + "        key header A or-refuse 200 \"x\"\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:22: expected a refusal status between 400 and 499, found 500"),
                errors(rule("a", ROUTE + "        key header A or-refuse 500 \"x\"\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:40: 'or client-address' after 'or-refuse 401': a key part has one choice for a"
                + " missing value, and it comes last"),
                errors(rule("a", ROUTE + "        key header A or-refuse 401 \"x\" or client-address\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:34: 'substitute' comes once, right after the part whose value it replaces,"
                + " before 'or', 'or-shared' and 'or-refuse'"),
                errors(rule("a", ROUTE + "        key header A or header B substitute \"me\" with header C\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:22: expected a shared bucket name that is not blank, found \"\""),
                errors(rule("a", ROUTE + "        key header A or-shared \"\"\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:13: expected a shared bucket name that is not blank, found \" \""),
                errors(rule("a", ROUTE + "        key shared \" \"\n" + LIMIT)));
        assertEquals(List.of("t.policy:4:43: key {grant_id} is not a variable of route * /a/{id}, so no request it"
                + " matches provides it"),
                errors(rule("a", ROUTE + "        key header A substitute \"me\" with {grant_id}\n" + LIMIT)));
    }

    @Test
    void shadowIsAFlagOfARuleOrOfTheWholePolicy() throws InvalidPolicyException {
        Policy ruleShadow = PolicyParser.parse("t.policy", "policy p {\n" + rule("a", ROUTE + "        shadow\n" + LIMIT)
                + rule("b", "        route * /b\n" + LIMIT) + "}\n").policy();
        assertTrue(ruleShadow.rule("a").shadow());
        assertFalse(ruleShadow.rule("b").shadow());
        assertFalse(ruleShadow.shadow());
        Policy policyShadow = PolicyParser.parse("t.policy", "policy p {\n    shadow\n" + rule("a", ROUTE + LIMIT) + "}\n")
                .policy();
        assertTrue(policyShadow.shadow());
        assertFalse(policyShadow.rule("a").shadow());
        assertTrue(PolicyPrinter.print(policyShadow).startsWith("policy p {\n    version \"1\"\n"
                + "    error-type \"rate_limit_exceeded\"\n    shadow\n"), PolicyPrinter.print(policyShadow));
        assertTrue(PolicyPrinter.print(ruleShadow).contains("    rule a {\n        shadow\n"), PolicyPrinter.print(ruleShadow));
    }

    @Test
    void blankNames() {
        assertEquals(List.of("t.policy:2:10: expected a rule name that is not blank, found \" \""),
                errors("    rule \" \" {\n" + ROUTE + LIMIT + SOURCE + "    }\n"));
        assertEquals(List.of("t.policy:5:9: provenance: document must not be blank"),
                errors(rule("a", ROUTE + LIMIT + "        source \"\" row x\n")));
    }

    @Test
    void severalErrorsInOneFileAreAllReported() {
        assertEquals(List.of("t.policy:4:15: unknown algorithm 'leaky': expected token-bucket, fixed-window,"
                        + " sliding-window, concurrency, quota or cardinality",
                "t.policy:11:18: unknown override kind 'never': expected raisable, lifted-when-verified or fixed"),
                errors(rule("a", ROUTE + "        limit leaky 1 per 1s\n")
                        + rule("b", ROUTE + LIMIT + "        override never\n")));
    }
}
