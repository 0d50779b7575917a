package dev.limiter.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Records, at the start of a run, the machine and setting the results come from, so that a report
 * regenerated later still names the machine that produced the figures: {@code nproc}, the CPU
 * model from {@code /proc/cpuinfo}, the load average when the run started (other work on the machine
 * skews every figure), OS, JDK, the UTC date, the setting (quality or quick) and the command. The
 * load average is read here, after the build that {@code run.sh} does first and which raises it by
 * itself; {@code run.sh} also hands over the one it read before that build, which is the one that
 * says whether the machine was quiet.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.report.RunInfo results/run.json quick "benchmarks/run.sh --quick" "0.05 0.10 0.20"
 * </pre>
 */
public final class RunInfo {
    private RunInfo() {
    }

    /**
     * Writes {@code args[0]} for setting {@code args[1]} run by command {@code args[2]}; {@code args[3]},
     * when given, is the load average read before the build.
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String json = "{\n"
                + "  \"mode\": " + quote(args[1]) + ",\n"
                + "  \"command\": " + quote(args.length > 2 ? args[2] : "") + ",\n"
                + "  \"startedUtc\": " + quote(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()) + ",\n"
                + "  \"nproc\": " + Runtime.getRuntime().availableProcessors() + ",\n"
                + "  \"cpu\": " + quote(cpuModel()) + ",\n"
                + "  \"loadAverage\": " + quote(loadAverage()) + ",\n"
                + (args.length > 3 ? "  \"loadAverageBeforeBuild\": " + quote(args[3]) + ",\n" : "")
                + "  \"os\": " + quote(System.getProperty("os.name") + " " + System.getProperty("os.version")
                        + " " + System.getProperty("os.arch")) + ",\n"
                + "  \"jdk\": " + quote(System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                        + " (" + System.getProperty("java.vendor") + ")") + "\n"
                + "}\n";
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, json, StandardCharsets.UTF_8);
    }

    /** @return the first "model name" of /proc/cpuinfo, or the OS architecture when there is none */
    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "unknown (" + System.getProperty("os.arch") + ")";
    }

    /** @return the 1, 5 and 15 minute load averages from /proc/loadavg: other work skews every figure */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
