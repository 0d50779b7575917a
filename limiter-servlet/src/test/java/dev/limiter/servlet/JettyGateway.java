package dev.limiter.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real embedded Jetty 12 server on loopback: an outer probe filter, a filter that sets the
 * {@code application} attribute from {@code X-App}, the filter under test, and a backend whose
 * behaviour the request's {@code X-Backend} header chooses.
 *
 * <p>The probe is outside the rate-limit filter, so it sees a request finish <em>after</em> the
 * rate-limit filter did: its {@code finally} runs later, and for an async request its listener
 * was added after the rate-limit filter's and is called after it. {@link #awaitFinished()}
 * therefore returns once the permits of that request are back.
 */
final class JettyGateway implements AutoCloseable {
    private static final long WAIT_SECONDS = 10;

    final AtomicInteger backendCalls = new AtomicInteger();
    final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    final BlockingQueue<AsyncContext> asyncRequests = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> finished = new LinkedBlockingQueue<>();
    private final Server server;
    private final ServerConnector connector;

    JettyGateway(Filter rateLimit) throws Exception {
        this(rateLimit, UriCompliance.DEFAULT);
    }

    /** A gateway whose server accepts the URI spellings {@code uris} allows (Jetty's default refuses {@code //}). */
    JettyGateway(Filter rateLimit, UriCompliance uris) throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(uris);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(async(new FilterHolder(new Probe())), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(async(new FilterHolder(new ApplicationFromHeader())), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(async(new FilterHolder(rateLimit)), "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder backend = new ServletHolder(new Backend());
        backend.setAsyncSupported(true);
        context.addServlet(backend, "/*");
        context.getServletHandler().setDecodeAmbiguousURIs(uris != UriCompliance.DEFAULT);
        server.setHandler(context);
        server.start();
    }

    private static FilterHolder async(FilterHolder h) {
        h.setAsyncSupported(true);
        return h;
    }

    URI uri(String rawTarget) {
        return URI.create("http://127.0.0.1:" + port() + rawTarget);
    }

    int port() {
        return connector.getLocalPort();
    }

    /** Waits until the next request has left the rate-limit filter for good (its permits returned). */
    String awaitFinished() throws InterruptedException {
        String how = finished.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (how == null) {
            throw new AssertionError("no request finished within " + WAIT_SECONDS + " s");
        }
        return how;
    }

    /** Waits until the backend has started serving a request that chose to wait or read. */
    String awaitEntered() throws InterruptedException {
        String what = entered.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (what == null) {
            throw new AssertionError("no request reached the backend within " + WAIT_SECONDS + " s");
        }
        return what;
    }

    AsyncContext awaitAsync() throws InterruptedException {
        AsyncContext ac = asyncRequests.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (ac == null) {
            throw new AssertionError("no async request within " + WAIT_SECONDS + " s");
        }
        return ac;
    }

    @Override
    public void close() {
        release.countDown();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the server", e);
        }
    }

    /** Reports each request's end: when the chain returns, or when its async cycle ends. */
    private final class Probe implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            try {
                chain.doFilter(req, res);
            } finally {
                if (req.isAsyncStarted()) {
                    req.getAsyncContext().addListener(new AsyncListener() {
                        @Override
                        public void onComplete(AsyncEvent event) {
                            finished.add("async complete");
                        }

                        @Override
                        public void onTimeout(AsyncEvent event) {
                            finished.add("async timeout");
                        }

                        @Override
                        public void onError(AsyncEvent event) {
                            finished.add("async error");
                        }

                        @Override
                        public void onStartAsync(AsyncEvent event) {
                        }
                    });
                } else {
                    finished.add("returned");
                }
            }
        }
    }

    /** The authentication a real gateway runs first: names the application in a request attribute. */
    private static final class ApplicationFromHeader implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            String app = ((HttpServletRequest) req).getHeader("X-App");
            if (app != null) {
                req.setAttribute("application", app);
            }
            chain.doFilter(req, res);
        }
    }

    /** The backend: {@code X-Backend} says wait, throw, async, async-timeout, read, or (absent) answer 200. */
    private final class Backend extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            backendCalls.incrementAndGet();
            String how = req.getHeader("X-Backend");
            if (how == null) {
                req.getInputStream().readAllBytes();     // a body left unread would make Jetty close the connection
                ok(resp);
                return;
            }
            switch (how) {
                case "wait":
                    entered.add(how);
                    try {
                        if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                            throw new ServletException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ServletException(e);
                    }
                    ok(resp);
                    return;
                case "throw":
                    throw new IllegalStateException("the backend failed");
                case "async": {
                    AsyncContext ac = req.startAsync();
                    ac.setTimeout(0);
                    asyncRequests.add(ac);
                    return;
                }
                case "async-timeout": {
                    AsyncContext ac = req.startAsync();
                    ac.setTimeout(100);      // never completed: the container's timeout ends it
                    return;
                }
                case "read": {
                    entered.add(how);
                    InputStream in = req.getInputStream();
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // reads until the client's body ends, or its disconnect fails the read
                    }
                    ok(resp);
                    return;
                }
                default:
                    throw new ServletException("unknown X-Backend " + how);
            }
        }
    }

    static void ok(HttpServletResponse resp) throws IOException {
        byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
