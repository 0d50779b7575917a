package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays the spellings that used to dodge their limits through a real HTTP server embedding the
 * gate, with a real HTTP client: path spellings, method case and auth-scheme case. The clock does
 * not move, so every request falls in one window and exactly the limit may pass.
 */
class GatewayReplayTest {
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;
    private EmbeddedGateway gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        gate = PolicyGate.builder(NylasV3.policy()).clock(clock).defaultCapacity(1_024).build();
        gateway = new EmbeddedGateway(gate);
    }

    @AfterEach
    void stop() {
        gateway.close();
        gate.close();
    }

    private int send(String method, String target, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(target))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Sends {@code rounds} of every spelling, returns the count of each status. */
    private Map<Integer, Integer> replay(int rounds, String[][] spellings) throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String[] s : spellings) {
                statuses.merge(send(s[0], s[1], s[2]), 1, Integer::sum);
            }
        }
        return statuses;
    }

    @Test
    void sixPathSpellingsOfOneGrantShareItsTwoHundred() throws Exception {
        String key = "Bearer key-1";
        String[][] spellings = {
            {"GET", "/v3/grants/g1/messages", key},
            {"GET", "/v3/grants/./g1/messages", key},
            {"GET", "/v3/grants/x/../g1/messages", key},
            {"GET", "/v3/grants/g1;x=1/messages", key},
            {"GET", "/V3/grants/g1/messages", key},
            {"GET", "/v3/grants/%67%31/messages", key},
            {"GET", "//v3//grants/g1/messages/", key},
        };
        assertEquals(Map.of(200, 200, 429, 7 * 60 - 200), replay(60, spellings), "420 requests, one grant's 200/s");
    }

    @Test
    void noMethodCaseCostsLessThanTheMethod() throws Exception {
        String[][] spellings = {
            {"get", "/v3/grants/g1/threads", "Bearer key-1"},
            {"Get", "/v3/grants/g1/threads", "Bearer key-1"},
            {"GET", "/v3/grants/g1/threads", "Bearer key-1"},
        };
        assertEquals(Map.of(200, 200 / (int) NylasV3.THREADS_COST, 429, 60 - 20), replay(20, spellings),
                "each listing costs 10 of 200 whatever its method's case");
    }

    @Test
    void theAuthSchemeCaseDoesNotOpenASecondBucket() throws Exception {
        String[][] spellings = {
            {"POST", "/v3/webhooks", "Bearer K"},
            {"POST", "/v3/webhooks", "bearer K"},
            {"POST", "/v3/webhooks", "BEARER   K"},
        };
        assertEquals(Map.of(200, 50, 429, 120 - 50), replay(40, spellings), "one application's 50/s");
    }

    @Test
    void unparseablePathsAndMissingKeysAreRefusedNotPassed() throws Exception {
        String[][] spellings = {
            {"GET", "/v3/grants/g1%2Fx/messages", "Bearer key-1"},
            {"GET", "/v3/grants/%C3%28/messages", "Bearer key-1"},
            {"GET", "/v3/../../etc", "Bearer key-1"},
            {"GET", "/v3/grants/me/messages", null},
            {"GET", "/v3/webhooks", null},
        };
        assertEquals(Map.of(400, 3 * 10, 401, 2 * 10), replay(10, spellings));
    }
}
