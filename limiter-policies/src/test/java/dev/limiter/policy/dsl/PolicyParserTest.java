package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Syntax errors: their exact text, position and caret, recovery to report several, and hostile input. */
class PolicyParserTest {
    private static InvalidPolicyException invalid(String text) {
        return assertThrows(InvalidPolicyException.class, () -> PolicyParser.parse("f.policy", text));
    }

    private static List<String> summaries(String text) {
        return invalid(text).errors().stream().map(PolicyError::summary).collect(Collectors.toList());
    }

    @Test
    void anErrorShowsFileLineColumnTheLineAndACaret() {
        InvalidPolicyException e = invalid("policy p {\n    rule a {\n        limit fixed-window ten per 1s\n");
        assertEquals("f.policy:3:28: expected the limit's permits (a number), found 'ten'\n"
                + "        limit fixed-window ten per 1s\n"
                + "                           ^", e.errors().get(0).render());
    }

    @Test
    void severalSyntaxErrorsInOneFileAreAllReported() {
        assertEquals(List.of(
                "f.policy:3:15: expected '*' or HTTP methods such as GET,POST, found path /a",
                "f.policy:4:13: expected a key part ({variable}, header NAME, attribute NAME, query NAME, client-address,"
                        + " endpoint N, route, shared \"BUCKET\"), found 'nothing'",
                "f.policy:5:9: expected a rule clause (group, route, when, except, key, member, limit, cost, wait,"
                        + " message, override, source, shadow, catch-all) or '}', found 'colour'",
                "f.policy:6:22: expected a closing '\"', found end of line"),
                summaries("policy p {\n    rule a {\n        route /a\n        key nothing\n        colour red\n"
                        + "        message \"open\n    }\n}\n"));
    }

    @Test
    void missingClosingBracesAreNamed() {
        assertEquals(List.of("f.policy:4:5: expected '}' closing rule 'a' (opened at line 2), found 'rule'",
                "f.policy:5:1: expected '}' closing rule 'b' (opened at line 4), found end of file",
                "f.policy:5:1: expected '}' closing the policy opened at line 1, found end of file"),
                summaries("policy p {\n    rule a {\n        route * /a\n    rule b {\n"));
    }

    @Test
    void lexicalErrors() {
        assertEquals(List.of("f.policy:1:8: expected a word, string, number, path or one of { } ( ) , = *, found '@'",
                "f.policy:1:9: expected a policy name (a word or a quoted string), found end of line",
                "f.policy:1:9: expected '}' closing the policy opened at line 1, found end of file"),
                summaries("policy @"));
        assertTrue(summaries("policy p { 3weeks").contains(
                "f.policy:1:13: expected a duration unit (ns, us, ms, s, m, h, d), found 'weeks'"));
        assertTrue(summaries("policy p { \"\\q\"").contains(
                "f.policy:1:13: expected an escape (\\\" \\\\ \\n \\t \\r \\uXXXX), found 'q'"));
        assertTrue(summaries("policy p { \"\\uzz\"").contains("f.policy:1:13: expected four hex digits after \\u, found 'zz\"'"));
        assertEquals("f.policy:1:12: expected a number at most 9223372036854775807, found 99999999999999999999",
                summaries("policy p { 99999999999999999999 }").get(0));
    }

    @Test
    void repeatedSingleClausesAreRefused() {
        assertEquals(List.of("f.policy:5:9: expected one 'limit' (the first is at line 4), found 'limit'"),
                summaries("policy p {\n    rule a {\n        route * /a\n        limit quota 1\n        limit quota 2\n"
                        + "        source \"d\" row r\n    }\n}\n"));
    }

    @Test
    void emptyAndWrongStarts() {
        assertEquals(List.of("f.policy:1:1: expected 'policy', found end of file"), summaries(""));
        assertEquals(List.of("f.policy:2:1: expected 'policy', found 'rule'"), summaries("# c\nrule a {\n"));
        assertEquals(List.of("f.policy:3:1: expected end of file after the policy's closing '}', found 'policy'"),
                summaries("policy p {\n}\npolicy q {\n}\n"));
    }

    @Test
    void deepNestingHugeInputAndLongLinesYieldBoundedErrors() {
        String deep = "policy p {\n" + "{".repeat(200_000) + "\n}\n";
        assertTrue(invalid(deep).errors().size() <= PolicyErrors.MAX_ERRORS);
        String manyLines = "policy p {\n" + "x\n".repeat(100_000) + "}\n";
        List<PolicyError> errors = invalid(manyLines).errors();
        assertEquals(PolicyErrors.MAX_ERRORS, errors.size());
        assertEquals("too many errors; stopped after 100", errors.get(errors.size() - 1).message());
        String huge = "policy p {\n" + "# padding\n".repeat(120_000) + "}\n";
        assertEquals(List.of("f.policy:1:1: expected a policy file of at most 1048576 characters, found 1200013"),
                summaries(huge));
        String longLine = "policy p {\n    rule \"" + "a".repeat(500_000);
        assertTrue(invalid(longLine).errors().get(0).summary().startsWith("f.policy:2:500011: expected a closing"));
    }

    @Test
    void commentsAnyWhitespaceAndCrLfAreAccepted() throws InvalidPolicyException {
        String text = "# head\r\npolicy p {  # trailing\r\n\trule a {\r\n\t\troute GET,post /a   cost 2\r\n"
                + "\t\tkey  query   user\r\n\t\tlimit token-bucket 5_000 per 1h burst 10\r\n\t\tsource \"d\" row r\r\n\t}\r\n}\r\n";
        PolicyDocument doc = PolicyParser.parse("f.policy", text);
        Policy p = doc.policy();
        assertEquals(List.of(" head"), doc.comments());
        assertEquals(5000, p.rule("a").limit().permits());
        assertEquals("[GET, POST]", p.rule("a").routes().get(0).methods().toString());
        assertEquals(List.of(" trailing"), doc.ruleComments().get("a"));
    }

    @Test
    void formattingKeepsCommentsBeforeThePolicyAndEachRule() throws InvalidPolicyException {
        String text = "# Nylas v3\npolicy p {\n    version \"1\"\n    error-type \"e\"\n\n    # the only rule\n"
                + "    rule a {\n        route * /a\n        key shared \"all\"\n        limit quota 1\n        message \"m\"\n"
                + "        source \"d\" row r\n    }\n}\n";
        assertEquals(text, PolicyPrinter.print(PolicyParser.parse("f.policy", text)));
    }
}
