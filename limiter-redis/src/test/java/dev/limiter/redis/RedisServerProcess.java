package dev.limiter.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * A real redis-server for tests, as a child process on 127.0.0.1.
 *
 * Which binary: `redis-server` from the PATH when there is one; otherwise the Linux/macOS binary that
 * the embedded-redis test dependency ships inside its jar, found as a classpath resource, copied to a
 * temporary file and made executable. Nothing is installed anywhere.
 *
 * The server binds to 127.0.0.1 only, on a port that was free a moment before (asked from the OS,
 * then released; a lost race shows as a start failure naming the port), with persistence off
 * (--save '', --appendonly no). start() waits until the server answers PING; stop() ends the process
 * (SHUTDOWN NOSAVE, then destroy) and deletes the copied binary. A JVM shutdown hook stops it too, so
 * a crashed test run leaves no server behind.
 */
/** A redis-server child process on a free loopback port, for tests; not thread-safe. */
final class RedisServerProcess implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private final Path binary;
    private final boolean copiedBinary;
    private final Path workDir;
    private Process process;
    private Thread shutdownHook;

    private RedisServerProcess(int port, Path binary, boolean copiedBinary, Path workDir) {
        this.port = port;
        this.binary = binary;
        this.copiedBinary = copiedBinary;
        this.workDir = workDir;
    }

    /** Starts a server and waits until it answers PING. */
    static RedisServerProcess start() {
        try {
            Path work = Files.createTempDirectory("limiter-redis-");
            Path onPath = findOnPath("redis-server");
            RedisServerProcess server = onPath != null
                    ? new RedisServerProcess(freePort(), onPath, false, work)
                    : new RedisServerProcess(freePort(), extractEmbeddedBinary(work), true, work);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
    }

    /** @return the port the server listens on (on 127.0.0.1) */
    int port() {
        return port;
    }

    /** @return a redis:// URI for this server */
    String uri() {
        return "redis://" + LOOPBACK + ":" + port;
    }

    /** @return whether the binary came out of the embedded-redis jar (no redis-server on the PATH) */
    boolean usesEmbeddedBinary() {
        return copiedBinary;
    }

    /** @return whether the process is alive */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Sends one inline command and returns the first reply line, e.g. {@code +PONG}. */
    String command(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + " did not answer " + inline, e);
        }
    }

    /** Kills the server as a crash would (SIGKILL): it loses its data; {@link #restart()} brings it back on the same port. */
    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing redis-server", e);
            }
        }
    }

    /** Starts the server again on the same port (after {@link #kill()}) and waits until it answers PING. */
    void restart() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            shutdownHook = null;
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart redis-server on port " + port, e);
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--bind", LOOPBACK, "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                "--dir", workDir.toString(), "--daemonize", "no"));
        Path log = workDir.resolve("redis.log");
        process = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        shutdownHook = new Thread(this::stopQuietly, "redis-server-stop-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": "
                        + Files.readString(log));
            }
            if (pingOnce()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stopQuietly();
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                        + START_TIMEOUT + ": " + Files.readString(log));
            }
            try {
                // polling a child process for readiness: there is no clock to pass here
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }
    }

    private boolean pingOnce() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    /** Stops the server (it discards its data) and removes what start() created. */
    @Override
    public void close() {
        stopQuietly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmAlreadyExiting) {
                // the hook itself is running: nothing to remove
            }
            shutdownHook = null;
        }
    }

    private void stopQuietly() {
        if (process != null && process.isAlive()) {
            try {
                command("SHUTDOWN NOSAVE");
            } catch (UncheckedIOException alreadyGone) {
                // the connection drops as the server exits, or it is already down
            }
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteQuietly(workDir.resolve("redis.log"));
        if (copiedBinary) {
            deleteQuietly(binary);
        }
        deleteQuietly(workDir);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** @return the name of the embedded-redis jar's binary for this OS and CPU */
    static String embeddedBinaryName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        if (os.contains("linux") && x64) {
            return "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("linux") && arm) {
            return "redis-server-6.2.7-linux-arm64";
        }
        if (os.contains("mac") && x64) {
            return "redis-server-6.2.6-v5-darwin-amd64";
        }
        if (os.contains("mac") && arm) {
            return "redis-server-6.2.6-v5-darwin-arm64";
        }
        throw new IllegalStateException("no redis-server on the PATH and no embedded binary for " + os + "/" + arch);
    }

    private static Path extractEmbeddedBinary(Path dir) throws IOException {
        String name = embeddedBinaryName();
        Path target = dir.resolve(name);
        try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and the classpath has no " + name
                        + " (the embedded-redis test dependency ships it)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            if (!target.toFile().setExecutable(true, true)) {
                throw new IOException("cannot make " + target + " executable");
            }
        }
        return target;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

}
