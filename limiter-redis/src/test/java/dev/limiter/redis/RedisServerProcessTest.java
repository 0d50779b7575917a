package dev.limiter.redis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test fixture itself: a real server starts on loopback, answers, keeps data, and stops. */
class RedisServerProcessTest {
    @Test
    void startsAnswersAndStops() {
        RedisServerProcess server = RedisServerProcess.start();
        int port = server.port();
        try {
            assertTrue(server.isRunning());
            assertEquals(!onPath(), server.usesEmbeddedBinary(),
                    "the binary on the PATH is preferred; the embedded one is used only without it");
            assertEquals("+PONG", server.command("PING"));
            assertEquals("+OK", server.command("SET fixture-check 42"));
            assertEquals("$2", server.command("GET fixture-check"), "GET answers a 2-byte bulk string");
            assertTrue(server.command("CONFIG GET save").startsWith("*2"));
        } finally {
            server.close();
        }
        assertFalse(server.isRunning());
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            }
        }, "nothing listens on the port after close()");
    }

    private static boolean onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
