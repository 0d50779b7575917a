package dev.limiter.cli;

import dev.limiter.policy.Policy;
import dev.limiter.policy.dsl.InvalidPolicyException;
import dev.limiter.policy.dsl.PolicyError;
import dev.limiter.policy.dsl.PolicyPrinter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * {@code limiter simulate --policy P (--trace FILE | --rate R --duration D --keys K --request "METHOD PATH")}:
 * replays a trace or synthetic load through the engine on a simulated clock and reports per-rule
 * admitted and denied counts, denials by message, the Retry-After distribution and a timeline;
 * {@code --html FILE} also writes a page with a chart of admitted versus denied over time.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Replay a trace or synthetic load through a policy on a simulated clock.")
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "a policy file (or shipped:NAME)")
    String policy;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Load load;

    /** Either a trace or synthetic load. */
    static final class Load {
        @Option(names = "--trace", required = true, paramLabel = "FILE",
                description = "CSV (time_ms,method,path[,Name: value]...) or JSON lines")
        Path trace;

        @ArgGroup(exclusive = false)
        Synthetic synthetic;
    }

    /** Evenly spaced requests, round-robin over keys. */
    static final class Synthetic {
        @Option(names = "--rate", required = true, paramLabel = "R", description = "requests per second in total")
        double rate;

        @Option(names = "--duration", required = true, paramLabel = "D", description = "simulated time, such as 5s or 1m")
        String duration;

        @Option(names = "--keys", defaultValue = "1", paramLabel = "K",
                description = "distinct keys k0..k{K-1}, substituted for {key} in the request")
        int keys;

        @Option(names = "--request", required = true, paramLabel = "\"METHOD PATH\"",
                description = "the request, such as \"GET /v3/grants/{key}/messages\"")
        String request;
    }

    @Mixin
    RequestOptions requestOptions = new RequestOptions();

    @Option(names = "--html", paramLabel = "FILE", description = "also write an HTML page with a chart")
    Path html;

    @Option(names = "--buckets", defaultValue = "50", paramLabel = "N", description = "time buckets of the timeline")
    int buckets;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Policy p;
        try {
            p = PolicySources.load(policy).policy();
        } catch (InvalidPolicyException e) {
            e.errors().stream().map(PolicyError::render).forEach(err::println);
            err.flush();
            return 1;
        }
        Simulation s;
        try {
            if (load.trace != null) {
                List<Simulation.Event> events;
                try (BufferedReader in = Files.newBufferedReader(load.trace, StandardCharsets.UTF_8)) {
                    events = TraceReader.read(in, load.trace.toString());
                }
                long end = events.isEmpty() ? 1 : events.get(events.size() - 1).nanos() + 1;
                s = Simulation.run(p, events.iterator(), end, Math.max(1, buckets));
            } else {
                s = synthetic(p, load.synthetic);
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        report(out, s);
        if (html != null) {
            Files.writeString(html, SimulationPage.render(s, "limiter simulate: " + p.name() + " " + p.version()),
                    StandardCharsets.UTF_8);
            out.printf("wrote %s%n", html);
        }
        out.flush();
        return 0;
    }

    private Simulation synthetic(Policy p, Synthetic g) {
        if (!(g.rate > 0) || g.keys < 1) {
            throw new IllegalArgumentException("expected --rate > 0 and --keys >= 1");
        }
        long nanos = parseDuration(g.duration);
        String[] mp = g.request.trim().split("\\s+", 2);
        if (mp.length != 2) {
            throw new IllegalArgumentException("--request: expected \"METHOD PATH\", found '" + g.request + "'");
        }
        double step = 1e9 / g.rate;
        long count = (long) Math.floor(nanos / step);
        Iterator<Simulation.Event> events = new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return i < count;
            }

            @Override
            public Simulation.Event next() {
                if (i >= count) {
                    throw new NoSuchElementException();
                }
                long at = Math.round(i * step);
                String key = "k" + (i % g.keys);
                i++;
                return new Simulation.Event(at, requestOptions.build(mp[0], mp[1], key));
            }
        };
        return Simulation.run(p, events, nanos, Math.max(1, buckets));
    }

    static long parseDuration(String d) {
        String t = d.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        try {
            long v = Long.parseLong(t.substring(0, i));
            String unit = t.substring(i);
            Duration parsed = switch (unit) {
                case "ms" -> Duration.ofMillis(v);
                case "s" -> Duration.ofSeconds(v);
                case "m" -> Duration.ofMinutes(v);
                case "h" -> Duration.ofHours(v);
                default -> throw new IllegalArgumentException("unit");
            };
            if (parsed.isZero()) {
                throw new IllegalArgumentException("zero");
            }
            return parsed.toNanos();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--duration: expected a positive duration such as 500ms, 5s, 1m or 1h,"
                    + " found '" + d + "'", e);
        }
    }

    private static void report(PrintWriter out, Simulation s) {
        out.printf(Locale.ROOT, "simulated %d requests over %.3f s through policy %s %s%n", s.requests, s.seconds(),
                s.policy.name(), s.policy.version());
        out.printf(Locale.ROOT, "admitted %d (%.1f/s), denied %d (%.1f/s), refused %d, matched no rule %d%n%n",
                s.admitted, s.admitted / s.seconds(), s.denied, s.denied / s.seconds(), s.refused, s.unmatched);
        out.printf("%-28s %10s %12s %10s %10s%n", "rule", "admitted", "admitted/s", "denied", "refused");
        for (Map.Entry<String, long[]> e : s.perRule.entrySet()) {
            long[] c = e.getValue();
            if (c[0] + c[1] + c[2] > 0) {
                String name = s.policy.shadows(s.policy.rule(e.getKey())) ? e.getKey() + " (shadow)" : e.getKey();
                out.printf(Locale.ROOT, "%-28s %10d %12.1f %10d %10d%n", name, c[0], c[0] / s.seconds(), c[1], c[2]);
            }
        }
        if (!s.denialsByMessage.isEmpty()) {
            out.printf("%ndenials by message:%n");
            s.denialsByMessage.forEach((m, n) -> out.printf("%10d  %s%n", n, m));
            out.printf("retry-after of denials: p50 %s, p90 %s, p99 %s, max %s%n", time(s.retryAfterQuantile(0.5)),
                    time(s.retryAfterQuantile(0.9)), time(s.retryAfterQuantile(0.99)), time(s.retryAfterQuantile(1)));
        }
        if (s.shadowDenied > 0) {
            out.printf("%nshadow rules (never deny): %d requests would have been denied%n", s.shadowDenied);
            s.shadowDenials.forEach((rule, n) -> out.printf("%10d  %s%n", n, rule));
        }
        if (!s.refusalsByReason.isEmpty()) {
            out.printf("%nrefused for a missing or malformed key (nothing counted), by status and message:%n");
            s.refusalsByReason.forEach((m, n) -> out.printf("%10d  %s%n", n, m));
        }
        out.printf("%ntimeline (per %s): start, admitted, denied, refused%n", PolicyPrinter.duration(s.bucketNanos));
        for (int i = 0; i < s.admittedPerBucket.length; i++) {
            out.printf(Locale.ROOT, "%10.3fs %8d %8d %8d%n", i * s.bucketNanos / 1e9, s.admittedPerBucket[i],
                    s.deniedPerBucket[i], s.refusedPerBucket[i]);
        }
    }

    private static String time(long nanos) {
        return nanos == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }
}
