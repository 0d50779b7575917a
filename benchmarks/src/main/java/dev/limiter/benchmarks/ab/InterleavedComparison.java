package dev.limiter.benchmarks.ab;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/*
 * Two builds of the library measured in one JVM, in alternating time slices, so that a host whose
 * speed drifts (a shared machine, a noisy neighbour, a CPU that changes clock) moves both by the
 * same amount. Back-to-back JMH runs of two jars cannot tell a 5% change from such a drift; the
 * ratio of two slices taken a few hundred milliseconds apart can.
 *
 * Isolation. Each build gets its own URLClassLoader whose parent is the platform loader, so that
 * neither sees the other's classes (nor the application class path): every class of the library
 * and of the workload exists twice, compiled and profiled apart, as it would be in two JVMs. A
 * build's class path lists its modules' classes before the shared benchmark jar, so its own
 * version of every library class wins; the jar supplies the third-party libraries and the workload.
 *
 * Method. A workload (see Workload) is built once per build; after `warmup` rounds, each of
 * `rounds` rounds runs one slice of A and one of B, in the order A B on even rounds and B A on odd
 * ones, so that neither build always follows the other. The summary is the median and quartiles of
 * B's rate over A's in the same round, and each build's median rate.
 */
/** Measures two builds of one workload in alternating slices of one JVM, and prints B's rate against A's. */
public final class InterleavedComparison {
    private final LongUnaryOperator a;
    private final LongUnaryOperator b;
    private final long sliceNanos;
    private final int chunk;
    private long sink;

    InterleavedComparison(LongUnaryOperator a, LongUnaryOperator b, long sliceNanos, int chunk) {
        this.a = a;
        this.b = b;
        this.sliceNanos = sliceNanos;
        this.chunk = chunk;
    }

    /**
     * Usage: {@code InterleavedComparison <class path of A> <class path of B> <workload class>
     * [rounds] [warm-up rounds] [slice ms]}; each class path is {@code File.pathSeparator}-separated
     * and should end with the benchmark jar.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: InterleavedComparison <class path A> <class path B> <workload class>"
                    + " [rounds=30] [warmup=20] [sliceMs=200]");
            System.exit(2);
        }
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        long sliceMs = args.length > 5 ? Long.parseLong(args[5]) : 200;
        try (URLClassLoader la = loader(args[0]); URLClassLoader lb = loader(args[1])) {
            LongUnaryOperator a = Workload.create(la, args[2]);
            LongUnaryOperator b = Workload.create(lb, args[2]);
            try {
                InterleavedComparison c = new InterleavedComparison(a, b, sliceMs * 1_000_000L, 1_024);
                Summary s = c.run(rounds, warmup);
                System.out.println(s.render(args[2]));
                System.out.println("(sink " + c.sink + ")");
            } finally {
                Workload.close(a);
                Workload.close(b);
            }
        }
    }

    /** @return a loader of {@code classPath} that delegates only to the platform loader */
    static URLClassLoader loader(String classPath) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String p : classPath.split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                urls.add(new File(p).toURI().toURL());
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("empty class path");
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** Runs {@code warmup} unrecorded rounds, then {@code rounds} recorded ones. */
    Summary run(int rounds, int warmup) {
        if (rounds < 1 || warmup < 0) {
            throw new IllegalArgumentException("rounds must be at least 1 and warmup at least 0");
        }
        double[] rateA = new double[rounds];
        double[] rateB = new double[rounds];
        for (int r = -warmup; r < rounds; r++) {
            double ra;
            double rb;
            if ((r & 1) == 0) {
                ra = slice(a);
                rb = slice(b);
            } else {
                rb = slice(b);
                ra = slice(a);
            }
            if (r >= 0) {
                rateA[r] = ra;
                rateB[r] = rb;
            }
        }
        return new Summary(rateA, rateB);
    }

    /** @return operations per microsecond over one slice of {@code op} */
    private double slice(LongUnaryOperator op) {
        long start = System.nanoTime();
        long deadline = start + sliceNanos;
        long ops = 0;
        long end;
        do {
            sink += op.applyAsLong(chunk);
            ops += chunk;
            end = System.nanoTime();
        } while (end < deadline);
        return ops * 1_000.0 / (end - start);
    }

    /** The rates of both builds, round by round, and their ratio B / A. */
    record Summary(double[] rateA, double[] rateB) {
        double[] ratios() {
            double[] q = new double[rateA.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = rateB[i] / rateA[i];
            }
            return q;
        }

        String render(String workload) {
            Quartiles qa = Quartiles.of(rateA);
            Quartiles qb = Quartiles.of(rateB);
            Quartiles qr = Quartiles.of(ratios());
            return String.format(Locale.ROOT, "%s, %d rounds%n"
                            + "  A: %.3f ops/us (quartiles %.3f to %.3f)%n"
                            + "  B: %.3f ops/us (quartiles %.3f to %.3f)%n"
                            + "  B / A, same round: %.3f (quartiles %.3f to %.3f)",
                    workload, rateA.length, qa.median(), qa.lower(), qa.upper(), qb.median(), qb.lower(), qb.upper(),
                    qr.median(), qr.lower(), qr.upper());
        }
    }
}
