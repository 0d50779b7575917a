package dev.limiter.netty;

import dev.limiter.policy.RequestView;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A {@link RequestView} that reads a bound Netty {@link HttpRequest} in place: the method's ASCII
 * name, the request target as received ({@link HttpRequest#uri()}, still percent-encoded, with its
 * query), headers, the channel's remote address and {@link RequestAttributes}.
 *
 * <p>An origin-form target (starting with {@code /}, so {@code //a} too) is the path as is; only an
 * absolute-form target ({@code http://host/path}, sent to proxies) has its scheme and authority
 * cut off. The client address is read once per channel. Not thread-safe: one per channel, used on
 * its event loop.
 */
public final class NettyRequestView implements RequestView {
    private final Channel channel;
    private final RequestAttributes attributes;
    private HttpRequest request;
    private CharSequence path;
    private String clientAddress;

    /** Creates a view for requests received on {@code channel}. */
    public NettyRequestView(Channel channel, RequestAttributes attributes) {
        this.channel = channel;
        this.attributes = attributes;
    }

    /** @return this view, reading {@code request} until the next {@link #bind} or {@link #unbind()} */
    public NettyRequestView bind(HttpRequest request) {
        this.request = request;
        this.path = originForm(request.uri());
        return this;
    }

    /** Drops the reference to the bound request. */
    public void unbind() {
        this.request = null;
        this.path = null;
    }

    /** @return the path and query of {@code target}: itself in origin form, without scheme and authority in absolute form */
    static CharSequence originForm(String target) {
        if (target.isEmpty() || target.charAt(0) == '/' || target.charAt(0) == '*') {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return target;                                  // neither form: the gate refuses it
        }
        int start = scheme + 3;
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/') {
                return target.substring(i);
            }
            if (c == '?' || c == '#') {
                return "/" + target.substring(i);
            }
        }
        return "/";
    }

    @Override
    public CharSequence method() {
        return request.method().asciiName();
    }

    @Override
    public CharSequence path() {
        return path;
    }

    @Override
    public CharSequence header(String name) {
        return request.headers().get(name);
    }

    @Override
    public CharSequence clientAddress() {
        if (clientAddress == null) {
            SocketAddress a = channel.remoteAddress();
            if (a instanceof InetSocketAddress) {
                InetSocketAddress inet = (InetSocketAddress) a;
                clientAddress = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            }
        }
        return clientAddress;
    }

    @Override
    public CharSequence attribute(String name) {
        return attributes.attribute(request, channel, name);
    }

    @Override
    public String toString() {
        return request == null ? "NettyRequestView[unbound]" : "NettyRequestView[" + request.method() + " " + path + "]";
    }
}
