package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import dev.limiter.policy.shipped.ContextIo;
import dev.limiter.policy.shipped.ContextIo2;
import dev.limiter.policy.shipped.ContextIoLite;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;
import dev.limiter.policy.shipped.UpstreamProviders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each shipped policy file parses to a policy equal to its Java-built twin, and is in canonical form. */
class ShippedPolicyFilesTest {
    static Stream<Arguments> twins() {
        return Stream.of(arguments("nylas-v3", NylasV3.policy()), arguments("nylas-v2", NylasV2.policy()),
                arguments("context-io-lite", ContextIoLite.policy()), arguments("context-io-2", ContextIo2.policy()),
                arguments("context-io", ContextIo.policy()),
                arguments("google", UpstreamProviders.google()),
                arguments("google-current", UpstreamProviders.googleCurrent()),
                arguments("microsoft", UpstreamProviders.microsoft()), arguments("icloud", UpstreamProviders.icloud()));
    }

    @ParameterizedTest(name = "{0}.policy")
    @MethodSource("twins")
    void fileEqualsItsJavaBuiltTwin(String file, Policy twin) throws IOException, InvalidPolicyException {
        String text = PolicyFuzzTest.shipped(file);
        PolicyDocument doc = PolicyParser.parse(file + ".policy", text);
        assertEquals(twin, doc.policy());
        assertEquals(text, PolicyPrinter.print(doc), "the shipped file is not in canonical form");
    }
}
