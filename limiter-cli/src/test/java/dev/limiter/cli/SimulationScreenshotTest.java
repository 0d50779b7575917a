package dev.limiter.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens the simulate page in headless Chromium (Debian's {@code chromium} on the PATH) and takes
 * a screenshot, into {@code target/simulate-screenshot.png}. Where Chromium is missing, the test
 * installs it itself with {@code apt-get install chromium} (as {@code screenshot.sh} does); it is
 * skipped only where that cannot be done (no apt-get, not root, or the install fails), and says why.
 */
class SimulationScreenshotTest {
    private static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "chromium");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** @return why Chromium could not be installed, or null once {@code apt-get install chromium} succeeded */
    private static String install(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get")) || !"root".equals(System.getProperty("user.name"))) {
            return "chromium is not on the PATH, and apt-get cannot install it here (no apt-get, or not root)";
        }
        Path log = dir.resolve("apt.log");
        Process p = new ProcessBuilder(List.of("apt-get", "install", "-y", "-q", "chromium")).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "apt-get install chromium did not finish in 300 s";
        }
        return p.exitValue() == 0 ? null : "apt-get install chromium failed (" + p.exitValue() + "): " + read(log);
    }

    @Test
    void theChartRendersInHeadlessChromium(@TempDir Path dir) throws IOException, InterruptedException {
        Path chromium = chromium();
        if (chromium == null) {
            String failure = install(dir);
            chromium = chromium();
            Assumptions.assumeTrue(chromium != null, failure != null ? failure : "chromium installed, but not on the PATH");
        }
        Path html = dir.resolve("sim.html");
        Run r = Run.of("simulate", "--policy", "shipped:nylas-v3", "--rate", "1000", "--duration", "5s",
                "--request", "GET /v3/grants/{key}/messages", "--buckets", "10", "--html", html.toString());
        assertEquals(0, r.exit(), r.err());
        Path png = Path.of("target", "simulate-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(png);
        Process p = new ProcessBuilder(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile"), "--screenshot=" + png, "--window-size=1000,700",
                html.toUri().toString())).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertTrue(Files.exists(png), () -> "no screenshot; chromium said: " + read(dir.resolve("chromium.log")));
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4));
        assertTrue(bytes.length > 10_000, "a blank page compresses to less: " + bytes.length + " bytes");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
