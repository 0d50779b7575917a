package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The READMEs' gateway snippet is the code {@link EmbeddedGateway} runs for each request, and it
 * works in a real HTTP server for requests with and without the optional headers.
 */
class ReadmeSnippetTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/limiter/policy/EmbeddedGateway.java");

    /** @return the lines between the snippet markers of the gateway's source, without their indentation */
    private static List<String> testedSnippet() throws Exception {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(SOURCE)) {
            if (line.contains("// README snippet end")) {
                break;
            }
            if (in) {
                out.add(line);
            }
            in |= line.contains("// README snippet start");
        }
        return strip(out);
    }

    /** @return the Java block of {@code readme} that evaluates a request */
    private static List<String> readmeSnippet(Path readme) throws Exception {
        String text = Files.readString(readme);
        int at = text.indexOf("Verdict v = gate.evaluate(");
        assertTrue(at > 0, readme + " shows how a gateway evaluates a request");
        int start = text.lastIndexOf("```java\n", at) + "```java\n".length();
        int end = text.indexOf("```", at);
        return strip(List.of(text.substring(start, end).split("\n")));
    }

    private static List<String> strip(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
        }
        return out;
    }

    @Test
    void bothReadmesShowTheTestedSnippet() throws Exception {
        List<String> tested = testedSnippet();
        assertTrue(tested.size() > 5, "markers found in " + SOURCE);
        assertEquals(tested, readmeSnippet(Path.of("README.md")), "limiter-policies/README.md");
        assertEquals(tested, readmeSnippet(Path.of("../README.md")), "README.md");
    }

    @Test
    void theSnippetServesRequestsWithAndWithoutTheOptionalHeaders() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (PolicyGate gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).build();
             EmbeddedGateway gateway = new EmbeddedGateway(gate)) {
            HttpResponse<String> bare = client.send(HttpRequest.newBuilder(gateway.uri("/v3/grants/g1/messages"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, bare.statusCode(), "no Authorization, no Content-Type: the grant is the key");
            HttpResponse<String> keyed = client.send(HttpRequest.newBuilder(gateway.uri("/v3/webhooks"))
                    .header("Authorization", "Bearer k").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, keyed.statusCode());
            HttpResponse<String> sent = client.send(HttpRequest.newBuilder(gateway.uri("/v3/grants/g1/messages/send"))
                    .header("Authorization", "Bearer k").header("Content-Type", "multipart/form-data; boundary=b")
                    .POST(HttpRequest.BodyPublishers.ofString("--b--")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, sent.statusCode());
            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(gateway.uri("/v3/webhooks"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), "the application's key is missing");
            assertEquals("{\"message\": \"" + NylasV3.NO_KEY_MESSAGE + "\", \"type\": \"invalid_request_error\"}",
                    anonymous.body());
            assertEquals("application/json", anonymous.headers().firstValue("Content-Type").orElse(null));
            for (int i = 0; i < 10; i++) {
                client.send(HttpRequest.newBuilder(gateway.uri("/v3/grants/g1/messages/send"))
                        .header("Content-Type", "multipart/form-data; boundary=b")
                        .POST(HttpRequest.BodyPublishers.ofString("--b--")).build(), HttpResponse.BodyHandlers.ofString());
            }
            HttpResponse<String> limited = client.send(HttpRequest.newBuilder(gateway.uri("/v3/grants/g1/messages/send"))
                    .header("Content-Type", "multipart/form-data").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(429, limited.statusCode(), "the 12th multipart send of the second: 10/s per grant");
            assertEquals("10", limited.headers().firstValue("X-RateLimit-Limit").orElse(null));
            assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
        }
    }
}
