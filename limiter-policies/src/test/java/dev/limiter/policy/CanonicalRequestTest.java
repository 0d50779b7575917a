package dev.limiter.policy;

import dev.limiter.Limit;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canonical form of method, path and header-derived keys, and what cannot be canonicalised. */
class CanonicalRequestTest {
    private static final Policy POLICY = Policy.named("p")
            .rule(Rule.named("grant").route("/v3/grants/{grant_id}/messages/**")
                    .key(KeyPart.pathVariable("grant_id"), KeyPart.header("Authorization"))
                    .limit(Limit.fixedWindow("grant", 10, Duration.ofSeconds(1)).build()).source("d", "r").build())
            .rule(Rule.named("endpoint").route("/**").key(KeyPart.endpoint(2))
                    .limit(Limit.fixedWindow("endpoint", 10, Duration.ofSeconds(1)).build()).source("d", "r").build())
            .rule(Rule.named("by-client").route("/auth").key(KeyPart.header("Authorization")
                            .orElse(KeyPart.queryParameter("client_id")).orShared("anonymous"))
                    .limit(Limit.fixedWindow("by-client", 10, Duration.ofSeconds(1)).build()).source("d", "r").build())
            .build();
    private static final RouteMatcher MATCHER = RouteMatcher.compile(POLICY);

    private static MatchResult match(String method, String path, String authorization) {
        return MATCHER.match(Request.of(method, path).header("Authorization", authorization).build(),
                MATCHER.newResult());
    }

    private static String canonical(String path) {
        MatchResult m = match("GET", path, "Bearer k");
        assertEquals(0, m.refusalStatus(), () -> path + " refused: " + m.refusalMessage());
        return m.canonicalPath();
    }

    private static void refused(String path, String why) {
        MatchResult m = match("GET", path, "Bearer k");
        assertEquals(400, m.refusalStatus(), path);
        assertEquals(why, m.refusalMessage(), path);
        assertEquals(0, m.size(), "a refused request matches no rule");
        assertNull(m.refusingRule(), "refused for its path, not for a rule's key");
    }

    @Test
    void theSixBypassSpellingsAreOnePath() {
        String real = "/v3/grants/g1/messages";
        for (String spelling : new String[] {"/v3/grants/./g1/messages", "/v3/grants/x/../g1/messages",
                "/v3/grants/g1;x=1/messages", "/v3/grants/%67%31/messages", "//v3//grants/g1/messages",
                "/v3/grants/g1/messages/", "/v3/grants/g1/messages?limit=5#frag"}) {
            assertEquals(real, canonical(spelling), spelling);
        }
        MatchResult upper = match("GET", "/V3/Grants/g1/MESSAGES", "Bearer k");
        assertEquals("grant", upper.rule(0).name(), "literal segments match ignoring case");
        assertEquals("g1", upper.variable(0, "grant_id"), "variable values keep their case");
        assertEquals(match("GET", real, "Bearer k").key(0).toString(), upper.key(0).toString(), "the same counter");
        assertEquals(match("GET", real, "Bearer k").key(1).toString(), upper.key(1).toString(),
                "the endpoint key folds case");
    }

    @Test
    void dotSegmentsFollowRfc3986() {
        assertEquals("/a/c", canonical("/a/b/../c"));
        assertEquals("/b", canonical("/a/%2e%2e/b"), "an encoded dot is a dot");
        assertEquals("/b", canonical("/a/..;x/b"), "parameters do not hide a dot segment");
        assertEquals("/a/b", canonical("/a//../b"), "an empty segment is one while dots are removed");
        assertEquals("/a", canonical("/a/b/.."));
        assertEquals("/a/.../b", canonical("/a/.../b"), "three dots are a name");
        assertEquals("/", canonical("/a/.."));
        assertEquals("/a/;/b", canonical("/a/%3B/b"), "an encoded ';' is data, not a parameter");
        assertEquals("/a/%/b", canonical("/a/%25/b"));
        assertEquals("/caf\u00e9/\ud83d\ude00", canonical("/caf%C3%A9/%F0%9F%98%80"));
    }

    @Test
    void whatCannotBeCanonicalisedIsRefusedWith400() {
        refused("/a/%2F/b", CanonicalPath.ENCODED_SEPARATOR);
        refused("/a/%2f", CanonicalPath.ENCODED_SEPARATOR);
        refused("/a/%5C/b", CanonicalPath.ENCODED_SEPARATOR);
        refused("/a\\b", CanonicalPath.ENCODED_SEPARATOR);
        refused("/a/%00", CanonicalPath.CONTROL);
        refused("/a/\u0000", CanonicalPath.CONTROL);
        refused("/a/\r\nX: y", CanonicalPath.CONTROL);
        refused("/a/%zz", CanonicalPath.BAD_ESCAPE);
        refused("/a/%4", CanonicalPath.BAD_ESCAPE);
        refused("/a/%", CanonicalPath.BAD_ESCAPE);
        refused("/a/%C3", CanonicalPath.BAD_UTF8);
        refused("/a/%C3%28", CanonicalPath.BAD_UTF8);
        refused("/a/%C0%AF", CanonicalPath.BAD_UTF8); // overlong '/'
        refused("/a/%ED%A0%80", CanonicalPath.BAD_UTF8); // a surrogate
        refused("/a/%FF", CanonicalPath.BAD_UTF8);
        refused("/../a", CanonicalPath.ABOVE_ROOT);
        refused("/a/../../b", CanonicalPath.ABOVE_ROOT);
        refused("a/b", CanonicalPath.NOT_ABSOLUTE);
        refused("", CanonicalPath.NOT_ABSOLUTE);
        refused("?x=1", CanonicalPath.NOT_ABSOLUTE);
        MatchResult tooLong = match("GET", "/a".repeat(CanonicalPath.MAX_LENGTH / 2) + "/", "Bearer k");
        assertEquals(400, tooLong.refusalStatus());
        assertEquals(CanonicalPath.TOO_LONG, tooLong.refusalMessage());
        MatchResult longest = match("GET", "/a".repeat(CanonicalPath.MAX_LENGTH / 2), "Bearer k");
        assertEquals(0, longest.refusalStatus());
        assertEquals(CanonicalPath.MAX_LENGTH, longest.canonicalPath().length());
    }

    @Test
    void methodsCompareCaseInsensitivelyAndHeadIsGet() {
        assertEquals("GET", match("get", "/a", "Bearer k").canonicalMethod());
        assertEquals("POST", match("pOsT", "/a", "Bearer k").canonicalMethod());
        assertEquals("GET", match("HEAD", "/a", "Bearer k").canonicalMethod());
        assertEquals("GET", match("head", "/a", "Bearer k").canonicalMethod());
        Policy heads = Policy.named("h").rule(Rule.named("head").route("HEAD", "/a").key(KeyPart.shared("all"))
                .limit(Limit.fixedWindow("head", 1, Duration.ofSeconds(1)).build()).source("d", "r").build()).build();
        RouteMatcher headMatcher = RouteMatcher.compile(heads);
        assertEquals(1, headMatcher.match(Request.of("GET", "/a").build(), headMatcher.newResult()).size(),
                "a HEAD route is a GET route");
        assertEquals(1, headMatcher.match(Request.of("head", "/a").build(), headMatcher.newResult()).size());
        for (String bad : new String[] {"", "GE T", "G\u00c9T", "GET\r\n", "X".repeat(33)}) {
            MatchResult m = match(bad, "/a", "Bearer k");
            assertEquals(400, m.refusalStatus(), bad);
            assertEquals("the method is not an HTTP method token", m.refusalMessage());
        }
    }

    @Test
    void theAuthSchemeIsCaseInsensitiveAndWhitespaceIsNotPartOfTheCredentials() {
        String key = match("GET", "/v3/grants/g1/messages", "Bearer K").key(0).toString();
        for (String spelling : new String[] {"bearer K", "BEARER K", " Bearer   K ", "Bearer\tK", "bEaReR K\t"}) {
            assertEquals(key, match("GET", "/v3/grants/g1/messages", spelling).key(0).toString(), spelling);
        }
        assertTrue(!key.equals(match("GET", "/v3/grants/g1/messages", "Bearer k").key(0).toString()),
                "credentials stay case-sensitive");
    }

    /** The key of rule by-client, which "/auth" matches besides the endpoint rule. */
    private static String client(String path, String authorization) {
        MatchResult m = match("GET", path, authorization);
        if (m.refusalStatus() != 0) {
            return "refused " + m.refusalStatus();
        }
        assertEquals("by-client", m.rule(1).name());
        return m.key(1).toString();
    }

    @Test
    void queryParametersAreDecodedAndTheFirstOccurrenceCounts() {
        String a = client("/auth?client_id=A", null);
        assertEquals(a, client("/auth?x=1&client_id=%41&client_id=B", null));
        assertEquals(a, client("/auth?client%5Fid=A", null));
        assertTrue(!a.equals(client("/auth?client_id=B", null)));
        assertTrue(!a.equals(client("/auth", "A")),
                "a fallback's value never shares a bucket with an equal primary value");
        String anonymous = client("/auth?other=1", null);
        assertEquals(anonymous, client("/auth?client_id=", null),
                "an empty value is a missing one: the named shared bucket");
        assertTrue(anonymous.contains("anonymous"));
        MatchResult bad = match("GET", "/auth?client_id=%G1", null);
        assertEquals(400, bad.refusalStatus());
        assertEquals(KeyReader.BAD_QUERY, bad.refusalMessage());
    }

    @Test
    void anOverlongKeyValueIsRefused() {
        MatchResult m = match("GET", "/v3/grants/g1/messages", "Bearer " + "k".repeat(KeyPart.MAX_VALUE_LENGTH));
        assertEquals(400, m.refusalStatus());
        assertEquals(KeyReader.TOO_LONG, m.refusalMessage());
        assertEquals("grant", m.refusingRule().name());
        MatchResult query = match("GET", "/auth?client_id=" + "%41".repeat(KeyPart.MAX_VALUE_LENGTH + 1), null);
        assertEquals(400, query.refusalStatus());
        assertEquals(KeyReader.TOO_LONG, query.refusalMessage());
        assertEquals("by-client", query.refusingRule().name());
    }
}
