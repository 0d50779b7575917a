package dev.limiter.netty;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;

/**
 * Where {@link RateLimitHandler} finds a request's gateway attributes (such as the authenticated
 * {@code application}) that policies key on; called on the event loop, so it must not block.
 */
@FunctionalInterface
public interface RequestAttributes {
    /**
     * The channel attribute of the same name ({@code AttributeKey.valueOf(name)}), set by an
     * earlier handler such as the gateway's authentication: a {@link CharSequence} as is, another
     * object as its {@code toString()}.
     */
    RequestAttributes CHANNEL = (request, channel, name) -> {
        if (!AttributeKey.exists(name)) {
            return null;
        }
        AttributeKey<Object> key = AttributeKey.valueOf(name);
        if (!channel.hasAttr(key)) {
            return null;
        }
        Object value = channel.attr(key).get();
        return value == null || value instanceof CharSequence ? (CharSequence) value : value.toString();
    };

    /** @return attribute {@code name} of {@code request}, received on {@code channel}, or null when absent */
    CharSequence attribute(HttpRequest request, Channel channel, String name);
}
