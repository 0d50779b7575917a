package dev.limiter.examples;

import dev.limiter.Clock;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.shipped.NylasV3;
import dev.limiter.servlet.RateLimitFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * A runnable gateway: embedded Jetty 12 applying the shipped Nylas v3 policy with
 * {@link RateLimitFilter} in front of a stub backend that answers every request with 200 and a
 * small JSON body.
 *
 * <pre>
 * mvn -B -q -pl limiter-examples -am package exec:java -DskipTests             # port 8080
 * mvn -B -q -pl limiter-examples -am package exec:java -DskipTests -Dexec.args=9090
 * </pre>
 */
public final class NylasGateway implements AutoCloseable {
    private final PolicyGate gate;
    private final Server server;
    private final ServerConnector connector;

    /** Starts the gateway on {@code host}:{@code port} (port 0: any free port). */
    public NylasGateway(String host, int port) throws Exception {
        gate = PolicyGate.of(NylasV3.policy(), Clock.system());
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        FilterHolder limits = new FilterHolder(RateLimitFilter.of(gate));
        limits.setAsyncSupported(true);
        context.addFilter(limits, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new StubBackend()), "/*");
        server.setHandler(context);
        server.start();
    }

    /** @return the port the gateway listens on */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the gateway", e);
        } finally {
            gate.close();
        }
    }

    /**
     * Runs the gateway until the process is stopped.
     *
     * @param args optionally the port (default 8080)
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        NylasGateway gateway = new NylasGateway("127.0.0.1", port);
        System.out.println("Nylas v3 gateway on http://127.0.0.1:" + gateway.port() + "/ (Ctrl-C stops it); try:");
        System.out.println("  curl -i -H 'Authorization: Bearer k' http://127.0.0.1:" + gateway.port()
                + "/v3/grants/g1/messages");
        gateway.server.join();
    }

    /** The backend behind the gateway: 200 with a JSON body naming the request. */
    private static final class StubBackend extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] body = ("{\"request_id\": \"stub\", \"method\": \"" + req.getMethod() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            resp.setStatus(200);
            resp.setContentType("application/json");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }
}
