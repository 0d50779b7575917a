package dev.limiter.policy;

import dev.limiter.Limit;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy model: value semantics, readable text, and clear errors for bad input. */
class ModelTest {

    private static Limit limit(String name) {
        return Limit.fixedWindow(name, 10, Duration.ofSeconds(1)).build();
    }

    private static Rule.Builder valid(String name) {
        return Rule.named(name).route("GET", "/a/{id}").key(KeyPart.pathVariable("id")).limit(limit(name))
                .source("doc.txt", "row-1");
    }

    private static void assertMessage(String expectedPart, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expectedPart), () -> "'" + e.getMessage() + "' should say '" + expectedPart + "'");
    }

    @Test
    void shippedPoliciesAreValuesEqualWhenBuiltTwice() {
        assertEquals(NylasV3.policy(), NylasV3.policy());
        assertEquals(NylasV3.policy().hashCode(), NylasV3.policy().hashCode());
        assertNotEquals(NylasV3.policy(), NylasV2.policy());
        Policy p = NylasV3.policy();
        assertEquals(p, p.toBuilder().build());
        Rule email = p.rule("nylas3-email");
        assertEquals(email, email.toBuilder().build());
        assertNotEquals(email, email.toBuilder().cost(2).build());
        assertNotEquals(email, email.toBuilder().message("other").build());
    }

    @Test
    void toStringIsReadable() {
        Rule send = NylasV3.policy().rule("nylas3-send-multipart");
        assertEquals("Rule[nylas3-send-multipart: [POST /v3/grants/{grant_id}/messages/send] when [header Content-Type"
                + " media type multipart/form-data] group api-type per [{grant_id} ('me' means header Authorization or refuse 401)] Limit[nylas3-send-multipart:"
                + " fixed_window 10 per PT1S] 'Too many requests' raisable from [nylas3-send-multipart@"
                + "001_0255217927bc240f.txt]]", send.toString());
        assertTrue(NylasV3.policy().toString().startsWith("Policy[nylas-v3 2024-06, error type invalid_request_error"));
    }

    @Test
    void malformedTemplatesAreRefusedWithTheColumn() {
        assertMessage("must start with '/'", () -> PathTemplate.parse("v3/grants"));
        assertMessage("column 5: empty segment", () -> PathTemplate.parse("/v3//grants"));
        assertMessage("'**' may only be the last segment", () -> PathTemplate.parse("/a/**/b"));
        assertMessage("must end with '}'", () -> PathTemplate.parse("/a/{id"));
        assertMessage("variable name '1x'", () -> PathTemplate.parse("/a/{1x}"));
        assertMessage("variable name ''", () -> PathTemplate.parse("/a/{}"));
        assertMessage("variable 'id' appears twice", () -> PathTemplate.parse("/a/{id}/b/{id}"));
        assertMessage("unexpected '*' in literal segment 'a*'", () -> PathTemplate.parse("/a*/b"));
        assertMessage("unexpected '{'", () -> PathTemplate.parse("/a/x{id}"));
        assertMessage("column 4: '..' is a dot segment", () -> PathTemplate.parse("/a/../b"));
        assertMessage("'.' is a dot segment", () -> PathTemplate.parse("/a/./b"));
        assertMessage("column 5: ';' starts path parameters", () -> PathTemplate.parse("/a/b;v=1"));
        assertMessage("more than 27 segments", () -> PathTemplate.parse("/a".repeat(28)));
        assertEquals(27, PathTemplate.parse("/a".repeat(26) + "/**").segmentCount());
        assertEquals("/a/{id}", PathTemplate.parse("/a/{id}/").toString(), "a trailing slash is ignored");
        assertEquals("/", PathTemplate.parse("/").toString());
    }

    @Test
    void invalidRulesAreRefusedNamingTheRule() {
        assertMessage("rule 'r' is invalid: it has no routes", () -> Rule.named("r").limit(limit("r"))
                .source("d", "x").build());
        assertMessage("it has no limit", () -> Rule.named("r").route("/a").source("d", "x").build());
        assertMessage("it has no key parts; one bucket for every request is KeyPart.shared(name)",
                () -> Rule.named("r").route("/a").limit(limit("r")).source("d", "x").build());
        assertMessage("cites no source", () -> Rule.named("r").route("/a").key(KeyPart.shared("all")).limit(limit("r"))
                .build());
        assertMessage("key variable {grant} is not in route /a/{id}", () -> valid("r")
                .key(KeyPart.pathVariable("grant")).build());
        assertMessage("costs 11 permits but the limit grants at most 10", () -> valid("r").route("GET", "/b/{id}", 11).build());
        assertMessage("cost must be at least 1", () -> valid("r").cost(0));
        assertMessage("rule 'r': route methods 'GET;POST'", () -> valid("r").route("GET;POST", "/b"));
        assertMessage("rule 'r': malformed path template", () -> valid("r").route("/b//c"));
        assertMessage("its limit is fixed but its override kind is RAISABLE",
                () -> valid("r").limit(Limit.fixedWindow("r", 1, Duration.ofSeconds(1)).fixed().build()).build());
        assertMessage("a cardinality rule needs member key parts", () -> valid("r")
                .limit(Limit.cardinality("r", 5).build()).build());
        assertMessage("only a cardinality rule has member key parts", () -> valid("r")
                .member(KeyPart.pathVariable("id")).build());
        assertMessage("counts requests or members, not costs", () -> valid("r")
                .limit(Limit.concurrency("r", 5, Duration.ofMinutes(1)).build()).cost(2).build());
        assertMessage("rule name must not be blank", () -> Rule.named(" "));
        assertMessage("not a media type", () -> Condition.contentType("json"));
        assertMessage("segments must be at least 1", () -> KeyPart.endpoint(0));
        assertMessage("row id must not be blank", () -> Provenance.of("doc", ""));
    }

    @Test
    void missingKeyChoicesAndCatchAllArePartOfTheValue() {
        KeyPart token = KeyPart.header("Authorization");
        assertEquals(token.orRefuse(401, "m"), KeyPart.header("Authorization").orRefuse(401, "m"));
        assertEquals(token.orRefuse(401, "m").hashCode(), KeyPart.header("Authorization").orRefuse(401, "m").hashCode());
        assertNotEquals(token, token.orRefuse(401, "m"));
        assertNotEquals(token.orShared("a"), token.orShared("b"));
        assertNotEquals(token.orElse(KeyPart.clientAddress()), token.orElse(KeyPart.queryParameter("client_id")));
        assertNotEquals(KeyPart.pathVariable("g"), KeyPart.pathVariable("g").substitute("me", token));
        KeyPart chain = token.orElse(KeyPart.clientAddress()).orShared("unknown");
        assertEquals("unknown", chain.fallback().sharedBucket(), "the choice applies at the end of the chain");
        assertEquals(null, chain.sharedBucket());
        assertEquals("header Authorization or else client address or shared 'unknown'", chain.toString());
        Rule r = valid("r").build();
        assertNotEquals(r, r.toBuilder().catchAll().build());
        assertEquals(r.toBuilder().catchAll().build(), r.toBuilder().catchAll().build());
        assertTrue(r.toBuilder().catchAll().build().toBuilder().build().catchAll(), "toBuilder keeps catch-all");
        assertNotEquals(r, r.toBuilder().key(token.orRefuse(401, "m")).build());
        assertNotEquals(valid("r").key(token.orRefuse(401, "m")).build(), valid("r").key(token.orRefuse(400, "m")).build());
    }

    @Test
    void anAbsentHeaderOrAttributeIsNullNotAnError() {
        Request r = Request.of("get", "/a").header("Content-Type", null).header("X-Key", "v").header("x-key", null)
                .attribute("application", null).attribute("user", "u").attribute("user", null).clientAddress(null).build();
        assertEquals(null, r.header("Content-Type"));
        assertEquals(null, r.header("X-Key"), "null removes a header set before");
        assertEquals(null, r.attribute("application"));
        assertEquals(null, r.attribute("user"));
        assertEquals("get", r.method().toString(), "the method as received; matching compares it case-insensitively");
        assertThrows(NullPointerException.class, () -> Request.of("GET", "/a").header(null, "v"));
    }

    @Test
    void badKeyPartsAreRefused() {
        assertMessage("a PATH_VARIABLE key part is never missing", () -> KeyPart.pathVariable("g").orShared("x"));
        assertMessage("never missing; it needs no fallback", () -> KeyPart.endpoint(1).orElse(KeyPart.clientAddress()));
        assertMessage("a refusal is a 4xx status, was 500", () -> KeyPart.header("A").orRefuse(500, "m"));
        assertMessage("key part name must not be blank", () -> KeyPart.shared(""));
        assertMessage("key part name must not be blank", () -> KeyPart.queryParameter(null));
        KeyPart deep = KeyPart.header("h0");
        for (int i = 1; i <= KeyPart.MAX_DEPTH; i++) {
            deep = deep.orElse(KeyPart.header("h" + i));
        }
        KeyPart deepest = deep;
        assertMessage("nests more than 8", () -> deepest.orElse(KeyPart.clientAddress()));
    }

    @Test
    void ruleValidationReportsTheRealErrorBeforeTheMissingSource() {
        assertMessage("key variable {grant} is not in route /a/{id}", () -> Rule.named("r").route("GET", "/a/{id}")
                .limit(limit("r")).key(KeyPart.pathVariable("grant")).build());
        assertMessage("costs 11 permits", () -> Rule.named("r").route("GET", "/a/{id}", 11).limit(limit("r"))
                .key(KeyPart.pathVariable("id")).build());
        assertMessage("key variable {grant} is not in route /a/{id}", () -> Rule.named("r").route("GET", "/a/{id}")
                .limit(limit("r")).key(KeyPart.header("A").orElse(KeyPart.clientAddress()),
                        KeyPart.pathVariable("id").substitute("me", KeyPart.pathVariable("grant"))).build());
        assertMessage("it has no key parts", () -> Rule.named("r").route("/a").limit(limit("r")).build());
    }

    @Test
    void aFixedRuleHasAFixedLimit() {
        Rule r = valid("r").override(OverrideKind.FIXED).build();
        assertFalse(r.limit().overridable());
    }

    @Test
    void invalidPoliciesAreRefused() {
        assertMessage("policy 'p' has no rules", () -> Policy.named("p").build());
        assertMessage("rule 'r' is declared twice", () -> Policy.named("p").rule(valid("r").build())
                .rule(valid("r").build()).build());
        Rule other = valid("s").limit(limit("r")).build();
        assertMessage("rules 'r' and 's' both use limit name 'r'", () -> Policy.named("p").rule(valid("r").build())
                .rule(other).build());
        Policy p = Policy.named("p").rule(valid("r").build()).build();
        assertMessage("policy 'p' has no rule 'nope'; known: [r]", () -> p.rule("nope"));
    }
}
