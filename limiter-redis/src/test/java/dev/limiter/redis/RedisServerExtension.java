package dev.limiter.redis;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the tests' Redis: one {@link RedisServerProcess} for the whole run (started on first
 * use, kept in the root store, closed by JUnit when the run ends and by the process's shutdown hook
 * if the JVM dies first), and a Lettuce {@link RedisClient} on it per test class, shut down with
 * every connection it opened when the class ends.
 */
final class RedisServerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisServerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RedisServerProcess.class || type == RedisClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RedisServerProcess server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", name -> RedisServerProcess.start(), RedisServerProcess.class);
        if (parameter.getParameter().getType() == RedisServerProcess.class) {
            return server;
        }
        return context.getStore(NAMESPACE.append(context.getRequiredTestClass()))
                .getOrComputeIfAbsent("client", name -> new ClassClient(RedisClient.create(server.uri())),
                        ClassClient.class).client();
    }

    /** A test class's client, shut down (closing its connections) when the class's store closes. */
    private record ClassClient(RedisClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.shutdown();
        }
    }
}
