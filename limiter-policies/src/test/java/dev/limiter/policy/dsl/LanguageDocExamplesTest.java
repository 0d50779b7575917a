package dev.limiter.policy.dsl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The examples of {@code docs/policy-language.md} are valid: every code block that is a whole
 * policy or whole rules, and every {@code key ...} written in backquotes, parses and validates
 * (placeholders such as {@code NAME}, {@code PART} and {@code ...}, and quoted error messages,
 * excepted).
 */
class LanguageDocExamplesTest {
    private static final Path DOC = Path.of("../docs/policy-language.md");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\b(NAME|PART|BUCKET|STATUS|METHODS|TEMPLATE|ALGORITHM|"
            + "CONDITION|VALUE|MESSAGE|TEXT|DOCUMENT|ROW|RULE|KEY|VERSION|TYPE)\\b|\\.\\.\\.\"?\\s*$|, \\.\\.\\.");
    private static final String RULE_TAIL = "        limit fixed-window 10 per 1s\n        source \"d\" row r\n    }\n";

    @Test
    void everyWholeExampleParses() throws IOException {
        String doc = Files.readString(DOC);
        Matcher blocks = Pattern.compile("```\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        int checked = 0;
        while (blocks.find()) {
            String block = blocks.group(1);
            String first = block.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElse("");
            if (PLACEHOLDER.matcher(block).find() || !(first.startsWith("policy ") || first.startsWith("rule "))) {
                continue;
            }
            parse(first.startsWith("policy ") ? block : "policy p {\n" + block + "}\n", block);
            checked++;
        }
        assertTrue(checked >= 2, "only " + checked + " whole examples found");
    }

    @Test
    void everyKeyExampleBinds() throws IOException {
        Matcher keys = Pattern.compile("(?m)`(key [^`]+)`|^(key .+)$").matcher(Files.readString(DOC));
        List<String> checked = new ArrayList<>();
        while (keys.find()) {
            String key = keys.group(1) != null ? keys.group(1) : keys.group(2);
            if (PLACEHOLDER.matcher(key).find() || key.contains(" is not a variable")) {
                continue;
            }
            parse("policy p {\n    rule a {\n        route * /v3/grants/{grant_id}/{id}/**\n        " + key + "\n"
                    + RULE_TAIL + "}\n", key);
            checked.add(key);
        }
        assertTrue(checked.size() >= 10, () -> "only " + checked + " key examples found");
    }

    private static void parse(String text, String example) {
        try {
            PolicyParser.parse("example.policy", text);
        } catch (InvalidPolicyException e) {
            fail("the documented example does not validate:\n" + example + "\n" + e.getMessage());
        }
    }
}
