package dev.limiter.benchmarks.gateway;

import dev.limiter.Clock;
import dev.limiter.Limit;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Rule;
import dev.limiter.servlet.RateLimitFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * The rate-limit filter's cost per request against the bare server, measured in one run: three
 * embedded Jetty 12 servers serve the same backend, bare, behind {@link RateLimitFilter} with
 * informational headers (the default), and behind it without them; the same GET goes to each. The
 * filter's overhead is the filtered time per request minus the bare one, and their ratio.
 *
 * <p>Each server is reached through Jetty's in-memory {@code LocalConnector}: the request is parsed,
 * dispatched through the servlet context and its filter chain and the response generated exactly
 * as for a socket (real Jetty request and response objects), without the loopback TCP stack, whose
 * scheduling noise on a small shared machine (tried first: errors larger than the figures) would
 * hide a cost of a few microseconds; for the same reason the servers run each request on the
 * connector's accepting thread instead of handing it to a pool ({@link CallerRunsThreadPool}).
 * Every request is allowed (a per-grant limit of 2<sup>40</sup> a second), so the path measured is
 * the gateway's common one.
 *
 * <p>Run (after {@code mvn -q package -pl benchmarks -am -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ServletFilterOverhead -f 1 -wi 2 -i 3 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServletFilterOverheadBenchmark {
    private static final String REQUEST = "GET /v3/grants/g1/messages?limit=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer k\r\nConnection: close\r\n\r\n";

    private PolicyGate gate;
    private Server bare;
    private Server filtered;
    private Server filteredNoHeaders;

    static Policy unlimited() {
        return Policy.named("benchmark").version("1").errorType("rate_limit_error")
                .rule(Rule.named("per-grant").source("benchmark", "per-grant")
                        .route("/v3/grants/{grant_id}/messages/**")
                        .key(KeyPart.pathVariable("grant_id"))
                        .limit(Limit.fixedWindow("per-grant", Limit.MAX_PERMITS, Duration.ofSeconds(1)).build())
                        .message("Too many requests").build())
                .build();
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        gate = PolicyGate.of(unlimited(), Clock.system());
        bare = server(null);
        filtered = server(RateLimitFilter.of(gate));
        filteredNoHeaders = server(RateLimitFilter.builder(gate).informationalHeaders(false).build());
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        bare.stop();
        filtered.stop();
        filteredNoHeaders.stop();
        gate.close();
    }

    private Server server(RateLimitFilter filter) throws Exception {
        Server s = new Server(new CallerRunsThreadPool());
        LocalConnector c = new LocalConnector(s);
        s.addConnector(c);
        ServletContextHandler context = new ServletContextHandler("/");
        if (filter != null) {
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        context.addServlet(new ServletHolder(new Backend()), "/*");
        s.setHandler(context);
        s.start();
        return s;
    }

    /** @return the status of one GET through {@code s}'s in-memory connector */
    private static int get(Server s) throws Exception {
        String response = ((LocalConnector) s.getConnectors()[0]).getResponse(REQUEST);
        if (!response.startsWith("HTTP/1.1 200 ")) {
            throw new IllegalStateException(response);
        }
        return response.length();
    }

    @Benchmark
    public int bareServer() throws Exception {
        return get(bare);
    }

    @Benchmark
    public int withFilter() throws Exception {
        return get(filtered);
    }

    @Benchmark
    public int withFilterNoInformationalHeaders() throws Exception {
        return get(filteredNoHeaders);
    }

    /** The backend: 200 with a two-byte body. */
    static final class Backend extends HttpServlet {
        private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setStatus(200);
            resp.setContentLength(OK.length);
            resp.getOutputStream().write(OK);
        }
    }

    /**
     * Runs the connector's accept loop on a thread of its own and every other task on the calling
     * thread, so that a request through the in-memory connector is parsed, dispatched, filtered,
     * served and answered on the accepting thread with no further hand-off to a pool, whose
     * scheduling on a loaded machine swamped the figures (errors larger than the scores).
     */
    static final class CallerRunsThreadPool implements ThreadPool {
        @Override
        public void execute(Runnable task) {
            if (task.getClass().getName().contains("Acceptor")) {
                Thread acceptor = new Thread(task, "local-acceptor");   // the connector's accept loop never returns
                acceptor.setDaemon(true);
                acceptor.start();
            } else {
                task.run();
            }
        }

        @Override
        public void join() {
        }

        @Override
        public int getThreads() {
            return 1;
        }

        @Override
        public int getIdleThreads() {
            return 1;
        }

        @Override
        public boolean isLowOnThreads() {
            return false;
        }
    }
}
