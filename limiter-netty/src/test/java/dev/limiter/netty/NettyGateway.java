package dev.limiter.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Netty HTTP server on loopback with one event-loop thread: {@code HttpServerCodec},
 * optionally {@code HttpObjectAggregator}, a handler that sets the {@code application} channel
 * attribute from {@code X-App}, the handler under test, and a backend whose behaviour the
 * request's {@code X-Backend} header chooses (absent: 200 "ok" once the request's body has
 * arrived; {@code wait}: answer when the test says; {@code throw}: fail, and answer 500 from
 * {@code exceptionCaught}).
 *
 * <p>With a single event-loop thread, a response's write completes (and the handler returns its
 * permits) in the same loop turn that flushes it, before any next request is read; closing is
 * reported by the backend's {@code channelInactive}, which runs after the handler's.
 */
final class NettyGateway implements AutoCloseable {
    private static final long WAIT_SECONDS = 10;

    final AtomicInteger backendCalls = new AtomicInteger();
    /** Body parts the backend got with no request of its own: a denied request's body that leaked. */
    final AtomicInteger strayContent = new AtomicInteger();
    private final BlockingQueue<ChannelHandlerContext> waiting = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    NettyGateway(RateLimitHandler.Builder limits, boolean aggregate) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        if (aggregate) {
                            ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                        }
                        ch.pipeline().addLast(new ApplicationFromHeader(), limits.build(), new Backend());
                    }
                });
        server = b.bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    URI uri(String rawTarget) {
        return URI.create("http://127.0.0.1:" + port() + rawTarget);
    }

    /** Waits until the backend holds a request that asked it to wait. */
    ChannelHandlerContext awaitWaiting() throws InterruptedException {
        ChannelHandlerContext ctx = waiting.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (ctx == null) {
            throw new AssertionError("no request reached the backend within " + WAIT_SECONDS + " s");
        }
        return ctx;
    }

    /** Waits until a connection has closed on the server, after the handler under test saw it close. */
    void awaitClosed() throws InterruptedException {
        if (closed.poll(WAIT_SECONDS, TimeUnit.SECONDS) == null) {
            throw new AssertionError("no connection closed within " + WAIT_SECONDS + " s");
        }
    }

    /** Answers a waiting request with 200 "ok", on its event loop. */
    static void respond(ChannelHandlerContext ctx) {
        ctx.executor().execute(() -> ctx.writeAndFlush(ok(HttpResponseStatus.OK, "ok")));
    }

    static FullHttpResponse ok(HttpResponseStatus status, String text) {
        ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The authentication a real gateway runs first: names the application in a channel attribute. */
    private static final class ApplicationFromHeader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                String app = ((HttpRequest) msg).headers().get("X-App");
                ctx.channel().attr(AttributeKey.valueOf("application")).set(app);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Backend extends ChannelInboundHandlerAdapter {
        private boolean inRequest;
        private boolean answerAtEnd;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest) {
                    backendCalls.incrementAndGet();
                    inRequest = true;
                    String how = ((HttpRequest) msg).headers().get("X-Backend");
                    answerAtEnd = how == null;
                    if ("wait".equals(how)) {
                        waiting.add(ctx);
                    } else if ("throw".equals(how)) {
                        throw new IllegalStateException("the backend failed");
                    }
                } else if (msg instanceof HttpContent && !inRequest) {
                    strayContent.incrementAndGet();
                }
                if (msg instanceof LastHttpContent) {
                    inRequest = false;
                    if (answerAtEnd) {
                        ctx.writeAndFlush(ok(HttpResponseStatus.OK, "ok"));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.writeAndFlush(ok(HttpResponseStatus.INTERNAL_SERVER_ERROR, "failed"));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.add("inactive");
            ctx.fireChannelInactive();
        }
    }
}
