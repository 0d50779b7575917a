package dev.limiter.redis;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies one {@link RedisServerProcess} to every test that asks for it: started on first use,
 * kept in the root store, and closed by JUnit when the whole run ends (and by the process's
 * shutdown hook if the JVM dies first).
 */
final class RedisServerExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisServerProcess.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(RedisServerExtension.class))
                .getOrComputeIfAbsent("server", name -> RedisServerProcess.start(), RedisServerProcess.class);
    }
}
