package dev.limiter.netty;

import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.VerdictListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * A per-channel Netty handler, placed after {@code HttpServerCodec} (and after
 * {@code HttpObjectAggregator} when there is one), that asks a {@link PolicyGate} about every HTTP
 * request on the event loop and either passes it on or answers it with the verdict's ready
 * response (429 with its headers and JSON body, or the 400/401 refusal).
 *
 * <pre>{@code
 * RateLimitHandler.Builder limits = RateLimitHandler.builder(gate);        // once
 * ch.pipeline().addLast(new HttpServerCodec(), limits.build(), new Backend()); // per channel
 * }</pre>
 *
 * <p><b>One request at a time.</b> A pipelined request that arrives while an earlier one is being
 * served waits (reading is paused) until the earlier response is finished, and is evaluated then:
 * responses stay in request order, and each request in flight has its own verdict.
 *
 * <p><b>Permits.</b> Concurrency permits a verdict holds go back, exactly once, when the write of the
 * request's last response part ({@code LastHttpContent}, or a {@code FullHttpResponse}) completes,
 * successfully or not, or when the channel closes or this handler is removed. Informational 1xx
 * responses other than 101 do not end a request.
 *
 * <p><b>Waiting.</b> A request denied by a rule that lets it wait ({@code Rule.maxWait}; DSL {@code wait 50ms})
 * within that wait is held, without blocking or a thread, until the engine decides it; it resumes on this event
 * loop, passed on or answered 429 with {@code Retry-After}. Messages behind it queue; reading goes on until
 * {@value #HELD_READ_AHEAD} wait, so a disconnect is seen: it cancels the wait, and nothing stays taken.
 *
 * <p>Nothing blocks. No exception of the gate reaches the
 * pipeline: a gate that cannot decide is answered as {@link WhenGateFails} says (503 by default).
 * An allowed request that holds no permit costs no lock and no logging; with informational headers
 * off it allocates nothing. A denied request whose client expects {@code 100-continue} gets its
 * answer and the connection is closed, since its body may or may not follow.
 */
public final class RateLimitHandler extends ChannelDuplexHandler implements ChannelFutureListener, VerdictListener {
    private static final System.Logger LOG = System.getLogger(RateLimitHandler.class.getName());
    /** The 503 body when the gate cannot decide. */
    static final String UNAVAILABLE_BODY =
            "{\"message\": \"rate limiting is unavailable\", \"type\": \"service_unavailable\"}";

    /** Messages read behind a held request before reading pauses: below it, a client's disconnect is seen at once. */
    static final int HELD_READ_AHEAD = 16;

    private final PolicyGate gate;
    private final boolean informationalHeaders;
    private final WhenGateFails whenGateFails;
    private final RequestAttributes attributes;
    /** Messages of requests waiting for the one in flight; they are read no further meanwhile. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(4);
    private final Runnable drain = this::drain;
    private ChannelHandlerContext ctx;
    private NettyRequestView view;
    /** Whether a passed-on request's final response has not been written yet. */
    private boolean inFlight;
    /** The in-flight request's verdict when it holds permits, else null. */
    private Verdict held;
    /** Headers for the in-flight request's response, or null. */
    private Map<String, String> informational;
    /** Whether the body of a request answered here is being dropped. */
    private boolean discarding;
    private boolean readPaused;
    /** The request held while its wait runs (see "Waiting"), or null; its messages queue behind it. */
    private HttpRequest holding;
    private Future<?> heldWait;                       // the held request's wait, cancelled if the channel goes

    private RateLimitHandler(Builder b) {
        this.gate = b.gate;
        this.informationalHeaders = b.informationalHeaders;
        this.whenGateFails = b.whenGateFails;
        this.attributes = b.attributes;
    }

    /** @return a builder of handlers applying {@code gate} */
    public static Builder builder(PolicyGate gate) {
        return new Builder(gate);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.view = new NettyRequestView(ctx.channel(), attributes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
        } else if (holding != null || !waiting.isEmpty() || (inFlight && msg instanceof HttpRequest)) {
            waiting.add(msg);
            if (!readPaused && ctx.channel().config().isAutoRead() && (holding == null || waiting.size() >= HELD_READ_AHEAD)) {
                readPaused = true;
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            handle(msg);
        }
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest) {
            begin((HttpRequest) msg);
        } else if (discarding) {
            discarding = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void begin(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            passOn(request, null, null);             // not a request the gate can read: the backend answers it
            return;
        }
        Verdict v;
        try {
            v = gate.evaluate(view.bind(request), this);
        } catch (RuntimeException e) {
            gateFailed(request, e);
            return;
        } finally {
            view.unbind();
        }
        if (v == null) {
            holding = request;                        // waits: decided() resumes it on this event loop
            return;
        }
        decide(request, v);
    }

    @Override
    public void waiting(Future<?> wait) {             // on this event loop, during evaluate
        heldWait = wait;
    }

    @Override
    public void decided(Verdict v) {                  // on the engine's thread: resume on the event loop
        try {
            ctx.executor().execute(() -> resume(v));
        } catch (RejectedExecutionException loopGone) {
            complete(v);                              // no event loop to resume on: return what it holds
        }
    }

    private void resume(Verdict v) {
        HttpRequest request = holding;
        holding = null;
        heldWait = null;
        if (request == null) {                        // the channel went while the grant was on its way
            complete(v);
            return;
        }
        decide(request, v);
        drain();
    }

    private void decide(HttpRequest request, Verdict v) {
        Map<String, String> headers;
        boolean holds;
        try {
            if (!v.allowed()) {
                int status = v.status();
                Map<String, String> denial = v.headers();
                String body = v.body();
                complete(v);
                answer(request, status, denial, body);
                return;
            }
            headers = informationalHeaders && v.rule() != null ? v.headers() : null;
            holds = v.holdsPermits();
        } catch (RuntimeException e) {
            complete(v);
            gateFailed(request, e);
            return;
        }
        if (!holds) {
            complete(v);                              // nothing to return later: the evaluator may reuse it now
        }
        passOn(request, holds ? v : null, headers);
    }

    private void passOn(HttpRequest request, Verdict permits, Map<String, String> headers) {
        inFlight = true;
        held = permits;
        informational = headers;
        ctx.fireChannelRead(request);
    }

    private void gateFailed(HttpRequest request, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "rate limiting failed for a request; " + whenGateFails, e);
        if (whenGateFails == WhenGateFails.ALLOW) {
            passOn(request, null, null);
        } else {
            answer(request, HttpResponseStatus.SERVICE_UNAVAILABLE.code(),
                    Map.of("Content-Type", "application/json"), UNAVAILABLE_BODY);
        }
    }

    /** Answers {@code request} here, dropping its body, and keeps the connection when the client may reuse it. */
    private void answer(HttpRequest request, int status, Map<String, String> headers, String body) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !HttpUtil.is100ContinueExpected(request);
        HttpVersion version = request.protocolVersion();
        discarding = !(request instanceof LastHttpContent);
        ReferenceCountUtil.release(request);
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status), content);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            response.headers().set(h.getKey(), h.getValue());
        }
        HttpUtil.setContentLength(response, content.readableBytes());
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse) {
            HttpResponse r = (HttpResponse) msg;
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                ctx.write(msg, promise);              // 100 Continue and friends: the request goes on
                return;
            }
            Map<String, String> headers = informational;
            if (headers != null) {
                informational = null;
                for (Map.Entry<String, String> h : headers.entrySet()) {
                    r.headers().set(h.getKey(), h.getValue());
                }
            }
        }
        if (!(msg instanceof LastHttpContent) || !inFlight) {
            ctx.write(msg, promise);
            return;
        }
        if (held == null) {                           // nothing to return: the next request may start now
            inFlight = false;
            ctx.write(msg, promise);
            scheduleDrain();
            return;
        }
        ChannelPromise p = promise.unvoid();
        p.addListener(this);
        ctx.write(msg, p);
    }

    /** The in-flight request's last response part was written (or failed): its permits go back. */
    @Override
    public void operationComplete(ChannelFuture future) {
        inFlight = false;
        release();
        scheduleDrain();
    }

    private void release() {
        Verdict v = held;
        held = null;
        informational = null;
        if (v != null) {
            complete(v);
        }
    }

    private void scheduleDrain() {
        if (!waiting.isEmpty()) {
            ctx.executor().execute(drain);
        }
    }

    /** Handles the waiting messages up to the next request that must wait again. */
    private void drain() {
        while (holding == null && !waiting.isEmpty() && !(inFlight && waiting.peek() instanceof HttpRequest)) {
            handle(waiting.poll());
        }
        if (holding == null && waiting.isEmpty() && readPaused) {
            readPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        forget();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        forget();
    }

    /** The channel is gone (or this handler is): return permits and drop what was waiting. */
    private void forget() {
        inFlight = false;
        discarding = false;
        release();
        Future<?> wait = heldWait;
        heldWait = null;
        if (holding != null) {
            ReferenceCountUtil.release(holding);
            holding = null;
            if (wait != null) {
                wait.cancel(false);                   // lost to a grant: resume() returns its permits
            }
        }
        Object m;
        while ((m = waiting.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    /** Completes {@code v}, returning its permits; a failure to do so is logged, never thrown. */
    private static void complete(Verdict v) {
        try {
            v.complete();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "returning a request's concurrency permits failed", e);
        }
    }

    @Override
    public String toString() {
        return "RateLimitHandler[" + gate + (inFlight ? ", a request in flight" : "") + (holding != null ? ", a request waiting" : "")
                + (waiting.isEmpty() ? "" : ", " + waiting.size() + " messages waiting") + "]";
    }

    /**
     * Configures {@link RateLimitHandler}s: configure it once, then {@link #build()} one handler per
     * channel (from any thread, once configured).
     */
    public static final class Builder {
        private final PolicyGate gate;
        private boolean informationalHeaders = true;
        private WhenGateFails whenGateFails = WhenGateFails.SERVICE_UNAVAILABLE;
        private RequestAttributes attributes = RequestAttributes.CHANNEL;

        private Builder(PolicyGate gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
        }

        /** Sets whether allowed responses carry {@code RateLimit} and {@code RateLimit-Policy} (default true). */
        public Builder informationalHeaders(boolean on) {
            this.informationalHeaders = on;
            return this;
        }

        /** Sets what happens to a request when the gate cannot decide (default {@link WhenGateFails#SERVICE_UNAVAILABLE}). */
        public Builder whenGateFails(WhenGateFails mode) {
            this.whenGateFails = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Sets where request attributes come from (default {@link RequestAttributes#CHANNEL}). */
        public Builder attributes(RequestAttributes source) {
            this.attributes = Objects.requireNonNull(source, "source");
            return this;
        }

        /** @return a new handler for one channel */
        public RateLimitHandler build() {
            return new RateLimitHandler(this);
        }
    }
}
