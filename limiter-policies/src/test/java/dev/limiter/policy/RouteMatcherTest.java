package dev.limiter.policy;

import dev.limiter.Limit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteMatcherTest {
    private static final KeyPart ALL = KeyPart.shared("all");

    private static Rule.Builder rule(String name) {
        return Rule.named(name).limit(Limit.fixedWindow(name, 10, Duration.ofSeconds(1)).build())
                .source("doc.txt", name);
    }

    private static List<String> names(MatchResult m) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            out.add(m.rule(i).name());
        }
        return out;
    }

    private static MatchResult match(Policy p, String method, String path) {
        RouteMatcher matcher = RouteMatcher.compile(p);
        return matcher.match(Request.of(method, path).build(), matcher.newResult());
    }

    @Test
    void literalVariableAndGlobRoutesAllApplyWithoutAGroup() {
        Policy p = Policy.named("p")
                .rule(rule("all").route("/lite/**").key(ALL).build())
                .rule(rule("user").route("GET", "/lite/users/{id}").key(KeyPart.pathVariable("id")).build())
                .rule(rule("exact").route("/lite/users/me").key(ALL).build())
                .build();
        assertEquals(List.of("all", "user", "exact"), names(match(p, "GET", "/lite/users/me")));
        assertEquals(List.of("all", "user"), names(match(p, "GET", "/lite/users/u1")));
        assertEquals(List.of("all"), names(match(p, "POST", "/lite/users/u1")), "method filters the user rule");
        assertEquals(List.of("all"), names(match(p, "GET", "/lite")), "'**' matches zero segments");
        assertEquals(List.of(), names(match(p, "GET", "/other/users/u1")));
    }

    /**
     * Segments equal a literal ignoring ASCII letter case only: '@' and '`' (and '[' and '{') differ
     * in the same bit as 'A' and 'a', and must stay different.
     */
    @Test
    void literalsIgnoreTheCaseOfLettersOnly() {
        Policy p = Policy.named("p")
                .rule(rule("at").route("/x@y").key(ALL).build())
                .rule(rule("tick").route("/x`y").key(ALL).build())
                .build();
        assertEquals(List.of("at"), names(match(p, "GET", "/x@y")));
        assertEquals(List.of("at"), names(match(p, "GET", "/X@Y")), "letters fold");
        assertEquals(List.of("tick"), names(match(p, "GET", "/x`y")));
        assertEquals(List.of("tick"), names(match(p, "GET", "/X`y")));
        Policy one = Policy.named("one").rule(rule("at").route("/x@y").key(ALL).build()).build();
        assertEquals(List.of(), names(match(one, "GET", "/x`y")), "'`' is not a case of '@'");
    }

    /**
     * Literals up to eight chars are compared as two packed words, longer ones char by char: a
     * change of any one char (to another letter, or to a char that differs only above the low
     * byte) misses at every length, a case change matches, and so does the general pass's walk
     * (an escape sends the path there, where the buffer has no slack past the last segment).
     */
    @Test
    void literalsOfEveryLengthAreComparedWholeInBothPasses() {
        for (int n = 1; n <= 12; n++) {
            String literal = "abcdefghijkl".substring(0, n);
            Policy p = Policy.named("p").rule(rule("r").route("/" + literal + "/x").key(ALL).build()).build();
            Policy last = Policy.named("p").rule(rule("r").route("/x/" + literal).key(ALL).build()).build();
            assertEquals(List.of("r"), names(match(p, "GET", "/" + literal + "/x")), literal);
            assertEquals(List.of("r"), names(match(p, "GET", "/" + literal.toUpperCase() + "/x")), literal);
            assertEquals(List.of("r"), names(match(last, "GET", "/x/" + literal)), literal);
            String escaped = "%" + Integer.toHexString(literal.charAt(0)) + literal.substring(1);
            assertEquals(List.of("r"), names(match(p, "GET", "/" + escaped + "/x")), escaped);
            assertEquals(List.of("r"), names(match(last, "GET", "/x/" + escaped)), escaped);
            assertEquals(List.of(), names(match(p, "GET", "/" + literal + "z/x")), literal + "z");
            assertEquals(List.of(), names(match(p, "GET", "/" + literal.substring(1) + "/x")), literal.substring(1));
            for (int i = 0; i < n; i++) {
                for (char wrong : new char[] {'z', (char) (literal.charAt(i) ^ 0x100)}) {
                    String bad = literal.substring(0, i) + wrong + literal.substring(i + 1);
                    assertEquals(List.of(), names(match(p, "GET", "/" + bad + "/x")), bad);
                    assertEquals(List.of(), names(match(last, "GET", "/x/" + bad)), bad);
                    String badEscaped = "%78/" + bad; // "/x/" + bad through the general pass
                    assertEquals(List.of(), names(match(last, "GET", "/" + badEscaped)), badEscaped);
                }
            }
        }
    }

    @Test
    void pathVariablesAreExtractedAndQueryIgnored() {
        Policy p = Policy.named("p").rule(rule("msg")
                .route("/v3/grants/{grant_id}/messages/{message_id}")
                .key(KeyPart.pathVariable("grant_id")).build()).build();
        MatchResult m = match(p, "GET", "//v3/grants/g-42/messages/m-7/?fields=x");
        assertEquals(1, m.size());
        assertEquals("g-42", m.variable(0, "grant_id"));
        assertEquals("m-7", m.variable(0, "message_id"));
        assertEquals("\u0001\u0004g-42", m.key(0).toString(), "tag 1 (the part's own value), length, value");
        assertThrows(IllegalArgumentException.class, () -> m.variable(0, "nope"));
    }

    @Test
    void withinAGroupTheMostSpecificRouteWinsAndTiesAllApply() {
        Policy p = Policy.named("p")
                .rule(rule("email").group("type").route("/v3/grants/{grant_id}/messages/**").key(ALL).build())
                .rule(rule("send").group("type").route("POST", "/v3/grants/{grant_id}/messages/send").key(ALL).build())
                .rule(rule("app").group("v2").route("/**").key(ALL).build())
                .rule(rule("account").group("v2").route("/**").key(ALL).build())
                .rule(rule("stream").group("v2").route("/delta/streaming").key(ALL).build())
                .build();
        assertEquals(List.of("send", "app", "account"), names(match(p, "POST", "/v3/grants/g/messages/send")));
        assertEquals(List.of("email", "app", "account"), names(match(p, "GET", "/v3/grants/g/messages/send")),
                "send matches POST only, so email is the most specific for GET");
        assertEquals(List.of("stream"), names(match(p, "GET", "/delta/streaming")));
    }

    @Test
    void aRuleKeepsItsMostSpecificRouteForCost() {
        Policy p = Policy.named("p").rule(rule("email")
                .route("*", "/v3/grants/{grant_id}/threads/**")
                .route("GET", "/v3/grants/{grant_id}/threads", 5)
                .key(ALL).build()).build();
        MatchResult list = match(p, "GET", "/v3/grants/g/threads");
        assertEquals(5, list.cost(0));
        assertEquals(1, match(p, "GET", "/v3/grants/g/threads/t1").cost(0));
        assertEquals(1, match(p, "DELETE", "/v3/grants/g/threads").cost(0));
    }

    @Test
    void starMatchesOneSegmentOnly() {
        Policy p = Policy.named("p").rule(rule("r").route("/a/*/c").key(ALL).build()).build();
        assertEquals(1, match(p, "GET", "/a/b/c").size());
        assertEquals(0, match(p, "GET", "/a/b/x/c").size());
        assertEquals(0, match(p, "GET", "/a/c").size());
    }

    @Test
    void conditionsAndExemptions() {
        Policy p = Policy.named("p")
                .rule(rule("json").route("POST", "/send").when(Condition.contentType("application/json")).key(ALL).build())
                .rule(rule("multi").route("POST", "/send").when(Condition.contentType("multipart/form-data"))
                        .key(ALL).build())
                .rule(rule("api").route("/**").exempt(Condition.attribute("kind").is("received-webhook")).key(ALL).build())
                .build();
        RouteMatcher matcher = RouteMatcher.compile(p);
        MatchResult m = matcher.newResult();
        matcher.match(Request.of("POST", "/send").header("content-type", "Multipart/Form-Data; boundary=x")
                .build(), m);
        assertEquals(List.of("multi", "api"), names(m));
        matcher.match(Request.of("POST", "/send").header("Content-Type", "application/json").build(), m);
        assertEquals(List.of("json", "api"), names(m));
        matcher.match(Request.of("POST", "/send").attribute("kind", "received-webhook").build(), m);
        assertEquals(List.of(), names(m), "no content type, and the webhook is exempt");
    }

    @Test
    void keysFromHeadersAttributesAddressAndEndpoint() {
        Policy p = Policy.named("p").rule(rule("r").route("/**")
                .key(KeyPart.header("Authorization"), KeyPart.attribute("application"), KeyPart.clientAddress(),
                        KeyPart.endpoint(1), KeyPart.route())
                .build()).build();
        RouteMatcher matcher = RouteMatcher.compile(p);
        MatchResult m = matcher.match(Request.of("GET", "/messages/abc").header("authorization", "tok")
                .attribute("application", "app").clientAddress("10.0.0.1").build(), matcher.newResult());
        assertEquals("\u0001\u0003tok\u0001\u0003app\u0001\u000810.0.0.1\u0001\rGET /messages\u0001\u0007GET /**",
                m.key(0).toString());
        matcher.match(Request.of("GET", "/messages").build(), m);
        assertEquals(0, m.size(), "an absent value is never an empty part: the request is refused");
        assertEquals(400, m.refusalStatus());
        assertEquals("the request has no Authorization header, which the rate limit is keyed by", m.refusalMessage());
        assertEquals("r", m.refusingRule().name());
    }

    @Test
    void aResultFromAnotherMatcherIsRefused() {
        Policy p = Policy.named("p").rule(rule("r").route("/a").key(ALL).build()).build();
        MatchResult other = RouteMatcher.compile(p).newResult();
        RouteMatcher matcher = RouteMatcher.compile(p);
        assertThrows(IllegalArgumentException.class, () -> matcher.match(Request.of("GET", "/a").build(), other));
    }

    @Test
    void aRequestWithoutMethodOrPathIsRefused() {
        Policy p = Policy.named("p").rule(rule("r").route("/a").key(ALL).build()).build();
        RouteMatcher matcher = RouteMatcher.compile(p);
        RequestView noPath = new RequestView() {
            public CharSequence method() {
                return "GET";
            }

            public CharSequence path() {
                return null;
            }

            public CharSequence header(String name) {
                return null;
            }

            public CharSequence clientAddress() {
                return null;
            }

            public CharSequence attribute(String name) {
                return null;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> matcher.match(noPath, matcher.newResult()));
        assertTrue(e.getMessage().startsWith("request has no path"), e.getMessage());
    }

    @Test
    void specificityOrder() {
        assertTrue(PathTemplate.parse("/a/b").compareTo(PathTemplate.parse("/a/{x}")) > 0);
        assertTrue(PathTemplate.parse("/a/{x}").compareTo(PathTemplate.parse("/a/*")) > 0);
        assertTrue(PathTemplate.parse("/a/*").compareTo(PathTemplate.parse("/a/**")) > 0);
        assertTrue(PathTemplate.parse("/a").compareTo(PathTemplate.parse("/a/**")) > 0);
        assertTrue(PathTemplate.parse("/a/b/**").compareTo(PathTemplate.parse("/a/**")) > 0);
        assertEquals(0, PathTemplate.parse("/a/{x}").compareTo(PathTemplate.parse("/a/{y}")));
    }
}
