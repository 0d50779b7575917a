package dev.limiter.cli;

import dev.limiter.policy.dsl.InvalidPolicyException;
import dev.limiter.policy.dsl.PolicyDocument;
import dev.limiter.policy.dsl.PolicyParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the policy a command names: a file path, or {@code shipped:NAME} for a policy shipped in
 * limiter-policies ({@code nylas-v3}, {@code nylas-v2}, {@code context-io-lite}, {@code context-io-2},
 * {@code context-io},
 * {@code google}, {@code google-current}, {@code microsoft}, {@code icloud}).
 */
final class PolicySources {
    static final String SHIPPED = "shipped:";

    private PolicySources() {
    }

    /** @return the text of the named policy */
    static String read(String name) throws IOException {
        if (name.startsWith(SHIPPED)) {
            String file = name.substring(SHIPPED.length());
            try (InputStream in = PolicySources.class.getResourceAsStream("/dev/limiter/policy/shipped/" + file + ".policy")) {
                if (in == null) {
                    throw new IOException("no shipped policy '" + file + "'");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of(name), StandardCharsets.UTF_8);
    }

    /** @return the parsed, validated document */
    static PolicyDocument load(String name) throws IOException, InvalidPolicyException {
        return PolicyParser.parse(name, read(name));
    }
}
