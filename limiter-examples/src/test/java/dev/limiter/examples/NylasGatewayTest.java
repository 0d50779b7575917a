package dev.limiter.examples;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example gateway starts, serves the stub backend through the filter, and refuses a request without a key. */
class NylasGatewayTest {
    @Test
    void theExampleGatewayServesAndRefuses() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (NylasGateway gw = new NylasGateway("127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + gw.port();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(base + "/v3/grants/g1/messages"))
                    .header("Authorization", "Bearer k").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("\"request_id\": \"stub\""), ok.body());
            assertTrue(ok.headers().firstValue("RateLimit").orElseThrow().startsWith("\"nylas3-email\";r=199"),
                    ok.headers().map().toString());
            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(base + "/v3/webhooks")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode());
        }
    }
}
