package dev.limiter.servlet;

import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Verdict;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A servlet filter that asks a {@link PolicyGate} about every request and either passes it on or
 * answers it with the verdict's ready response (429 with its headers and JSON body, or the 400/401
 * refusal of an unparseable path or a missing key). A request answered here with a body is
 * answered with {@code Connection: close}: its body is never read.
 *
 * <pre>{@code
 * PolicyGate gate = PolicyGate.of(NylasV3.policy(), Clock.system());
 * context.addFilter(new FilterHolder(RateLimitFilter.of(gate)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>Only {@link DispatcherType#REQUEST} dispatches are counted; forwards, includes, async and error
 * dispatches of a request already counted pass through. An allowed response also carries the
 * informational {@code RateLimit} and {@code RateLimit-Policy} fields unless
 * {@link Builder#informationalHeaders(boolean) turned off}. Concurrency permits a verdict holds go
 * back when the response is finished: when the chain returns for a synchronous request (normally
 * or by exception, a client disconnect included), and on {@code onComplete}, {@code onError} or
 * {@code onTimeout} of the {@link AsyncContext} for a request the chain put into async mode.
 *
 * <p>No exception of the gate reaches the container: a gate that cannot decide is answered as
 * {@link WhenGateFails} says (503 by default). Exceptions of the rest of the chain (the backend)
 * propagate unchanged. An allowed request that holds no permit costs no lock, no logging and no
 * allocation beyond the container's own {@code String}s (and, with informational headers on, the
 * rendered header values). Thread-safe.
 */
public final class RateLimitFilter implements Filter {
    private static final System.Logger LOG = System.getLogger(RateLimitFilter.class.getName());
    /** The 503 body when the gate cannot decide. */
    static final String UNAVAILABLE_BODY =
            "{\"message\": \"rate limiting is unavailable\", \"type\": \"service_unavailable\"}";

    private final PolicyGate gate;
    private final boolean informationalHeaders;
    private final WhenGateFails whenGateFails;
    private final ThreadLocal<ServletRequestView> views = ThreadLocal.withInitial(ServletRequestView::new);

    private RateLimitFilter(Builder b) {
        this.gate = b.gate;
        this.informationalHeaders = b.informationalHeaders;
        this.whenGateFails = b.whenGateFails;
    }

    /** @return a filter applying {@code gate} with the defaults: informational headers on, 503 when the gate fails */
    public static RateLimitFilter of(PolicyGate gate) {
        return builder(gate).build();
    }

    /** @return a builder of a filter applying {@code gate} */
    public static Builder builder(PolicyGate gate) {
        return new Builder(gate);
    }

    /** @return the gate this filter applies */
    public PolicyGate gate() {
        return gate;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)
                || req.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Verdict v = evaluate(request);
        if (v == null) {
            gateFailed(req, res, response, chain);
            return;
        }
        boolean holdsPermits;
        try {
            if (!v.allowed()) {
                int status = v.status();
                Map<String, String> headers = v.headers();
                String body = v.body();
                complete(v);
                closeIfBodyUnread(request, response);
                answer(response, status, headers, body);
                return;
            }
            if (informationalHeaders && v.rule() != null) {
                for (Map.Entry<String, String> h : v.headers().entrySet()) {
                    response.setHeader(h.getKey(), h.getValue());
                }
            }
            holdsPermits = v.holdsPermits();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "rate limiting failed for a request; " + whenGateFails, e);
            complete(v);
            gateFailed(req, res, response, chain);
            return;
        }
        if (!holdsPermits) {
            complete(v);                       // nothing to return later: the evaluator may reuse it now
            chain.doFilter(req, res);
            return;
        }
        try {
            chain.doFilter(req, res);
        } finally {
            completeWhenFinished(request, v);
        }
    }

    /** @return the verdict, or null when the gate cannot decide */
    private Verdict evaluate(HttpServletRequest request) {
        ServletRequestView view = views.get();
        try {
            return gate.evaluate(view.bind(request));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "rate limiting failed for a request; " + whenGateFails, e);
            return null;
        } finally {
            view.unbind();
        }
    }

    /** Completes {@code v} now, or when the async cycle the chain started ends. */
    private static void completeWhenFinished(HttpServletRequest request, Verdict v) {
        if (request.isAsyncStarted()) {
            try {
                request.getAsyncContext().addListener(new PermitReturn(v));
                return;
            } catch (IllegalStateException alreadyEnding) {
                // the async cycle is already completing: the response is finished as the dispatch returns
            }
        }
        complete(v);
    }

    /** Completes {@code v}, returning its permits; a failure to do so is logged, never thrown. */
    static void complete(Verdict v) {
        try {
            v.complete();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "returning a request's concurrency permits failed", e);
        }
    }

    private void gateFailed(ServletRequest req, ServletResponse res, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (whenGateFails == WhenGateFails.ALLOW) {
            chain.doFilter(req, res);
            return;
        }
        closeIfBodyUnread((HttpServletRequest) req, response);
        answer(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, Map.of("Content-Type", "application/json"),
                UNAVAILABLE_BODY);
    }

    /**
     * A request answered here keeps its body unread, and reading an unbounded body just to keep the
     * connection would let a denied client make the server work; the container closes such a
     * connection after the response, so say so, and the client does not reuse it.
     */
    private static void closeIfBodyUnread(HttpServletRequest request, HttpServletResponse response) {
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            response.setHeader("Connection", "close");
        }
    }

    /** Writes a complete response; a client that has gone away is not an error of this filter. */
    private static void answer(HttpServletResponse response, int status, Map<String, String> headers, String body) {
        if (response.isCommitted()) {
            return;
        }
        try {
            response.setStatus(status);
            for (Map.Entry<String, String> h : headers.entrySet()) {
                response.setHeader(h.getKey(), h.getValue());
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        } catch (IOException | RuntimeException clientGone) {
            // the client disconnected, or the response was taken over meanwhile: nothing to answer
        }
    }

    @Override
    public String toString() {
        return "RateLimitFilter[" + gate + ", informational headers " + (informationalHeaders ? "on" : "off")
                + ", when the gate fails " + whenGateFails + "]";
    }

    /** Configures a {@link RateLimitFilter}; not thread-safe. */
    public static final class Builder {
        private final PolicyGate gate;
        private boolean informationalHeaders = true;
        private WhenGateFails whenGateFails = WhenGateFails.SERVICE_UNAVAILABLE;

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

        /** @return the filter */
        public RateLimitFilter build() {
            return new RateLimitFilter(this);
        }
    }
}
