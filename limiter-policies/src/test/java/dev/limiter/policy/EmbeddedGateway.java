package dev.limiter.policy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP gateway on loopback (the JDK's {@code HttpServer}) that embeds a {@link PolicyGate}
 * exactly as the README shows: each request runs the README's snippet, which the tests keep in
 * sync with the README text. A request that passes is "forwarded" to a backend that answers 200.
 */
final class EmbeddedGateway implements AutoCloseable {
    static {
        // Without it, each small response waits for the client's delayed acknowledgement (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final PolicyGate gate;

    EmbeddedGateway(PolicyGate gate) throws IOException {
        this.gate = gate;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri(String rawTarget) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + rawTarget);
    }

    private void handle(HttpExchange request) throws IOException {
        try (request) {
            serve(request);
        }
    }

    /** The gateway's own response API, over the exchange. */
    private static final class Response {
        private final HttpExchange exchange;
        private int status;

        Response(HttpExchange exchange) {
            this.exchange = exchange;
        }

        void setHeader(String name, String value) {
            exchange.getResponseHeaders().set(name, value);
        }

        Response status(int code) {
            this.status = code;
            return this;
        }

        void body(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void serve(HttpExchange request) throws IOException {
        String method = request.getRequestMethod();
        URI uri = request.getRequestURI();
        // The JDK server parses an origin-form target starting with "//" as an authority: put it back.
        String authority = uri.getScheme() == null && uri.getRawAuthority() != null ? "//" + uri.getRawAuthority() : "";
        String target = authority + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String authorization = request.getRequestHeaders().getFirst("Authorization");
        String contentType = request.getRequestHeaders().getFirst("Content-Type");
        Response response = new Response(request);
        // README snippet start
        Verdict v = gate.evaluate(Request.of(method, target)
                .header("Authorization", authorization).header("Content-Type", contentType).build());
        try {
            if (!v.allowed()) {                                // a ready 429 (or 400/401 when refused)
                v.headers().forEach(response::setHeader);      // X-RateLimit-Limit/-Reset, Retry-After, RateLimit(-Policy)
                response.status(v.status()).body(v.body());    // {"message": "...", "type": "invalid_request_error"}
                return;
            }
            forward(request);
        } finally {
            v.complete();                                      // the verdict's end; returns concurrency permits
        }
        // README snippet end
    }

    /** The backend: answers 200. */
    private static void forward(HttpExchange request) throws IOException {
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        request.sendResponseHeaders(200, ok.length);
        try (OutputStream out = request.getResponseBody()) {
            out.write(ok);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
