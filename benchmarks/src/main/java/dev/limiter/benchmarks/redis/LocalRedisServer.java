package dev.limiter.benchmarks.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server child process on a free port of 127.0.0.1 for the Redis benchmarks, as the
 * limiter-redis tests start one: {@code redis-server} from the PATH, else the Linux/macOS binary the
 * embedded-redis jar ships, copied to a temporary file. Persistence off; stopped by {@link #close()}
 * or by a shutdown hook. Not thread-safe.
 */
public final class LocalRedisServer implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";

    private final int port;
    private final Path work;
    private final Process process;
    private final Thread hook;

    private LocalRedisServer(int port, Path work, Process process) {
        this.port = port;
        this.work = work;
        this.process = process;
        this.hook = new Thread(this::stop, "redis-server-stop-" + port);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** @return a started server that answers PING */
    public static LocalRedisServer start() {
        try {
            Path work = Files.createTempDirectory("limiter-bench-redis-");
            Path binary = onPath();
            if (binary == null) {
                binary = work.resolve("redis-server");
                try (InputStream in = LocalRedisServer.class.getClassLoader().getResourceAsStream(embeddedName())) {
                    if (in == null) {
                        throw new IllegalStateException("no redis-server on the PATH and no " + embeddedName() + " on the class path");
                    }
                    Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
            }
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(List.of(binary.toString(), "--bind", LOOPBACK, "--port", Integer.toString(port),
                    "--save", "", "--appendonly", "no", "--dir", work.toString()))
                    .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
            LocalRedisServer server = new LocalRedisServer(port, work, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!server.answers()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("redis-server did not start: " + Files.readString(work.resolve("redis.log")));
                }
                Thread.sleep(20);                                  // waiting for a child process to listen
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the server's redis:// URI */
    public String uri() {
        return "redis://" + LOOPBACK + ":" + port;
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] reply = new byte[5];
            return socket.getInputStream().read(reply) == 5 && new String(reply, StandardCharsets.UTF_8).equals("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Path onPath() {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, "redis-server");
            if (candidate != null && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String embeddedName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        boolean arm = System.getProperty("os.arch").toLowerCase(Locale.ROOT).matches("aarch64|arm64");
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
    }

    private void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.list(work)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(work);
        } catch (IOException leftover) {
            // a temp file left behind is harmless
        }
    }

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running
        }
    }
}
