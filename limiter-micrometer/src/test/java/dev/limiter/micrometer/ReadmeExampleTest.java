package dev.limiter.micrometer;

import dev.limiter.Clock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.NylasV3;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's example is this code, and it reports the request it evaluated. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleCountsItsRequest() throws Exception {
        double admitted;
        MeterRegistry registry;
        // README example start
        PolicyGate gate = PolicyGate.of(NylasV3.policy(), Clock.system());
        registry = new SimpleMeterRegistry();   // or your Prometheus/OTLP registry
        PolicyGateMetrics metrics = new PolicyGateMetrics(gate, Tags.of("gateway", "edge"));
        metrics.bindTo(registry);

        Verdict v = gate.evaluate(Request.of("GET", "/v3/grants/g1/messages")
                .header("Authorization", "Bearer key").build());
        v.complete();
        admitted = registry.get("limiter.rule.admitted").tag("rule", "nylas3-email").functionCounter().count();
        metrics.close();                                     // removes the meters, stops following swaps
        // README example end
        gate.close();
        assertEquals(1, admitted);
        assertTrue(registry.getMeters().isEmpty());
        String readme = Files.readString(Path.of("README.md"));
        boolean in = false;
        int lines = 0;
        for (String line : Files.readAllLines(Path.of("src/test/java/dev/limiter/micrometer/ReadmeExampleTest.java"))) {
            String code = line.strip().replace("registry = new", "MeterRegistry registry = new")
                    .replace("admitted = registry", "double admitted = registry");
            if (line.contains("README example end")) {
                break;
            }
            if (in && !code.isEmpty()) {
                lines++;
                assertTrue(readme.contains(code), "README.md lacks the example line: " + code);
            }
            in |= line.contains("README example start");
        }
        assertEquals(9, lines, "the example: nine lines of code, ten with the blank one");
    }
}
