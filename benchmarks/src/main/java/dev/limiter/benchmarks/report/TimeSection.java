package dev.limiter.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The report's section on time (issue 9), built from one run: the timer benchmark
 * ({@code time.TimerScheduleBenchmark}) as a table and a chart, its targets against the executor
 * and Netty, the cached clock's single-key figure against the best single-key competitor of the
 * same run, and the lateness of asynchronous acquires ({@code async-lateness.json}, written by
 * {@code time.AsyncLateness}) in ticks. Stateless.
 */
public final class TimeSection {
    /** The timer benchmark's class. */
    static final String TIMERS = "TimerScheduleBenchmark";
    /** The cached-clock benchmark's class. */
    static final String CACHED = "CachedClockAcquireBenchmark";
    /** The single-key workload the cached clock is compared on. */
    static final String SINGLE_KEY = "SingleKeyAllowedBenchmark";
    /** The lateness program's output in the results directory. */
    public static final String LATENESS_FILE = "async-lateness.json";
    /** The chart this section writes under {@code report/}. */
    static final String CHART = "timers.svg";
    /** The lateness file's histogram of the asynchronous acquires (ns). */
    private static final String LATENESS = "latenessNanos";
    /** The lateness file's histogram of the floor: a bare thread parking to the same deadlines (ns). */
    private static final String FLOOR = "floorLatenessNanos";

    /**
     * One contender of the timer benchmark.
     *
     * @param label  its readable name
     * @param cancel its schedule + cancel method
     * @param fire   its schedule + fire method, or null when it has none
     * @param kind   this engine or a competitor
     */
    private record Contender(String label, String cancel, String fire, SvgChart.Kind kind) {
    }

    private static final List<Contender> CONTENDERS = List.of(
            new Contender("this engine's `TimingWheel` (single thread)", "timingWheelScheduleCancel",
                    "timingWheelScheduleFire", SvgChart.Kind.ENGINE),
            new Contender("the engine's `Ticker`, caller's side (to the ticker thread)", "tickerScheduleCancel", null,
                    SvgChart.Kind.ENGINE),
            new Contender("the `Ticker` driven inline (caller and ticker on one thread)", "tickerScheduleCancelInline",
                    null, SvgChart.Kind.ENGINE),
            new Contender("Agrona `DeadlineTimerWheel` (single thread)", "agronaScheduleCancel", "agronaScheduleFire",
                    SvgChart.Kind.COMPETITOR),
            new Contender("Netty `HashedWheelTimer`, caller's side", "nettyScheduleCancel", null,
                    SvgChart.Kind.COMPETITOR),
            new Contender("`ScheduledThreadPoolExecutor`, caller's side", "executorScheduleCancel", null,
                    SvgChart.Kind.COMPETITOR));

    private TimeSection() {
    }

    /** @return whether this section, not the generic per-class sections, shows {@code question} */
    public static boolean owns(String question) {
        return TIMERS.equals(question) || CACHED.equals(question);
    }

    /**
     * Appends the section to {@code md} and writes its chart to {@code out/report/}.
     *
     * @param lateness the parsed {@value #LATENESS_FILE}, or null when the run has none
     */
    public static void render(StringBuilder md, Results r, Object lateness, Path out) throws IOException {
        md.append("\n## Time: timers, the cached clock and asynchronous waits\n\n");
        timers(md, r, out);
        md.append("\n| target | this run | status |\n|---|---|---|\n");
        ratio(md, r, "timing wheel ≥ 10× `ScheduledThreadPoolExecutor` (schedule + cancel)",
                "timingWheelScheduleCancel", "executorScheduleCancel", 10);
        ratio(md, r, "timing wheel ≥ 2× Netty `HashedWheelTimer` (schedule + cancel)",
                "timingWheelScheduleCancel", "nettyScheduleCancel", 2);
        ratio(md, r, "ticker, caller's side ≥ 2× Netty `HashedWheelTimer`'s caller side (schedule + cancel)",
                "tickerScheduleCancel", "nettyScheduleCancel", 2);
        cachedClockTarget(md, r);
        latenessTarget(md, lateness);
        cachedClock(md, r);
        lateness(md, lateness);
    }

    private static void timers(StringBuilder md, Results r, Path out) throws IOException {
        md.append("One timer scheduled then cancelled, or scheduled then fired, with 10,000 other timers held "
                        + "(`time.TimerScheduleBenchmark`, 1 thread), ops/µs ± the 99.9% interval. The caller's side "
                        + "of a threaded timer is what an acquiring thread pays; its own thread applies the request "
                        + "later.\n\n")
                .append("| contender | schedule + cancel | B/op | schedule + fire | B/op |\n|---|---|---|---|---|\n");
        List<SvgChart.Bar> cancels = new ArrayList<>();
        List<SvgChart.Bar> fires = new ArrayList<>();
        for (Contender c : CONTENDERS) {
            Optional<JmhRow> cancel = r.find(TIMERS, c.cancel(), 1);
            Optional<JmhRow> fire = c.fire() == null ? Optional.empty() : r.find(TIMERS, c.fire(), 1);
            if (cancel.isEmpty() && fire.isEmpty()) {
                continue;
            }
            md.append("| ").append(c.label()).append(" | ").append(cell(cancel)).append(" | ").append(bytes(cancel))
                    .append(" | ").append(cell(fire)).append(" | ").append(bytes(fire)).append(" |\n");
            String label = c.label().replace("`", "");
            cancel.ifPresent(x -> cancels.add(new SvgChart.Bar("schedule + cancel", label, x.score(), x.error(),
                    c.kind())));
            fire.ifPresent(x -> fires.add(new SvgChart.Bar("schedule + fire", label, x.score(), x.error(), c.kind())));
        }
        if (cancels.isEmpty() && fires.isEmpty()) {
            md.append("| no `").append(TIMERS).append("` results in this run | | | | |\n");
            return;
        }
        List<SvgChart.Bar> bars = new ArrayList<>(cancels);
        bars.addAll(fires);
        Files.writeString(out.resolve("report").resolve(CHART),
                SvgChart.render("One timer: schedule + cancel, schedule + fire (ops/µs, higher is better)", "ops/µs",
                        bars), StandardCharsets.UTF_8);
        md.append("\n![Timers](report/").append(CHART).append(")\n");
    }

    private static String cell(Optional<JmhRow> row) {
        return row.map(JmhRow::scoreWithError).orElse("–");
    }

    private static String bytes(Optional<JmhRow> row) {
        return row.filter(x -> !Double.isNaN(x.allocNorm()))
                .map(x -> String.format(Locale.ROOT, "%.1f", x.allocNorm())).orElse("–");
    }

    private static void ratio(StringBuilder md, Results r, String target, String engine, String other, double want) {
        Optional<JmhRow> e = r.find(TIMERS, engine, 1);
        Optional<JmhRow> o = r.find(TIMERS, other, 1);
        if (e.isEmpty() || o.isEmpty()) {
            line(md, target, "n/a", "no data");
            return;
        }
        double ratio = e.get().score() / o.get().score();
        line(md, target, String.format(Locale.ROOT, "%.2f× (%s vs %s ops/µs)", ratio, JmhRow.fmt(e.get().score()),
                JmhRow.fmt(o.get().score())), status(ratio >= want, interval(e.get(), o.get()) >= want));
    }

    /** @return the ratio's lower end: the engine's score minus its error over the other's plus its error */
    private static double interval(JmhRow engine, JmhRow other) {
        double ee = Double.isNaN(engine.error()) ? 0 : engine.error();
        double oe = Double.isNaN(other.error()) ? 0 : other.error();
        return (engine.score() - ee) / (other.score() + oe);
    }

    private static void cachedClockTarget(StringBuilder md, Results r) {
        String target = "single key, 1 thread, cached clock ≥ 2.5× the best single-key competitor of the run";
        Optional<JmhRow> cached = r.find(CACHED, "engineCachedClock", 1);
        Optional<JmhRow> best = r.bestCompetitor(SINGLE_KEY, 1);
        if (cached.isEmpty() || best.isEmpty()) {
            line(md, target, "n/a", "no data");
            return;
        }
        double ratio = cached.get().score() / best.get().score();
        line(md, target, String.format(Locale.ROOT, "%.2f× (%s vs %s %s ops/µs)", ratio,
                JmhRow.fmt(cached.get().score()), ReportText.label(best.get().method()),
                JmhRow.fmt(best.get().score())), status(ratio >= 2.5, interval(cached.get(), best.get()) >= 2.5));
    }

    /**
     * The lateness target; when it is not met and the run measured the floor (a bare thread parking
     * to the same deadlines under the same load), the floor's p99 is added, and a floor already
     * above 1 tick marks the target out of reach on that machine, as {@link Targets} does for the
     * throughput targets.
     */
    private static void latenessTarget(StringBuilder md, Object lateness) {
        String target = "asynchronous acquire lateness p99 ≤ 1 tick";
        if (lateness == null) {
            line(md, target, "n/a", "no data");
            return;
        }
        double p99 = ticks(lateness, "p99");
        String figure = String.format(Locale.ROOT, "p99 %.2f ticks (p50 %.2f, p99.9 %.2f)", p99,
                ticks(lateness, "p50"), ticks(lateness, "p99.9"));
        String status = p99 <= 1.0 ? "met" : "**not met**";
        double floor = ticks(lateness, FLOOR, "p99");
        if (p99 > 1.0 && !Double.isNaN(floor)) {
            figure += String.format(Locale.ROOT, "; floor (a bare thread parking to the same deadlines) p99 %.2f ticks",
                    floor);
            if (floor > 1.0) {
                status = "**not met** (out of reach: the floor is above the target)";
            }
        }
        line(md, target, figure, status);
    }

    /** @return a percentile of the async acquires' lateness in ticks (NaN when absent) */
    static double ticks(Object lateness, String percentile) {
        return ticks(lateness, LATENESS, percentile);
    }

    /** @return a percentile of the histogram {@code field} of the lateness file, in ticks (NaN when absent) */
    @SuppressWarnings("unchecked")
    static double ticks(Object lateness, String field, String percentile) {
        Object nanos = Json.get(lateness, field);
        double tick = Json.num(Json.get(lateness, "tickNanos"));
        return nanos instanceof Map ? Json.num(((Map<String, Object>) nanos).get(percentile)) / tick : Double.NaN;
    }

    private static void cachedClock(StringBuilder md, Results r) {
        List<JmhRow> rows = new ArrayList<>();
        r.find(CACHED, "engineCachedClock", 1).ifPresent(rows::add);
        r.find(CACHED, "engineSystemClock", 1).ifPresent(rows::add);
        r.of(SINGLE_KEY, 1).stream().filter(x -> !x.isEngine() && !x.isFloor()).forEach(rows::add);
        r.find(CACHED, "cachedNanoTime", 1).ifPresent(rows::add);
        r.find(CACHED, "systemNanoTime", 1).ifPresent(rows::add);
        if (rows.isEmpty()) {
            return;
        }
        md.append("\nOne granted acquire on one key, 1 thread (`time.CachedClockAcquireBenchmark`: the engine on the "
                        + "system clock and on a started 1 ms ticker's cached clock; the competitors are this run's "
                        + "`SingleKeyAllowedBenchmark` rows), and one read of each clock alone:\n\n")
                .append("| contender | ops/µs ± 99.9% error | B/op |\n|---|---|---|\n");
        for (JmhRow x : rows) {
            String label = switch (x.method()) {
                case "engineCachedClock" -> "engine, cached clock";
                case "engineSystemClock" -> "engine, `System.nanoTime()`";
                case "cachedNanoTime" -> "one cached-clock read";
                case "systemNanoTime" -> "one `System.nanoTime()`";
                default -> ReportText.label(x.method());
            };
            md.append("| ").append(label).append(" | ").append(x.scoreWithError()).append(" | ")
                    .append(bytes(Optional.of(x))).append(" |\n");
        }
    }

    private static void lateness(StringBuilder md, Object lateness) {
        if (lateness == null) {
            md.append("\nNo `").append(LATENESS_FILE).append("` in this run.\n");
            return;
        }
        double tick = Json.num(Json.get(lateness, "tickNanos"));
        boolean floor = Json.get(lateness, FLOOR) != null;
        md.append("\nLateness of asynchronous acquires (`time.AsyncLateness`): ")
                .append(String.format(Locale.ROOT, "%,d", (long) Json.num(Json.get(lateness, "completed"))))
                .append(" completed waits; ").append(Json.get(lateness, "question"))
                .append(". Lateness is the completion's `System.nanoTime()` minus the exact conformance time; tick = ")
                .append(String.format(Locale.ROOT, "%,d", (long) tick)).append(" ns.");
        if (floor) {
            md.append(" The floor is a bare thread (no engine, no wheel) that parks with `LockSupport.parkNanos` until "
                    + "each of a series of deadlines spaced like the conformance times, under the same load, in "
                    + "segments interleaved with the waits': its lateness is the reading at wake-up minus the deadline, "
                    + "what the operating system gives any parked thread here. The waits allocate (a future each) "
                    + "and the floor does not, so a collector's pause counts against the waits alone.");
        }
        md.append("\n\n| | p50 | p99 | p99.9 | max | early | refused |\n|---|---|---|---|---|---|---|\n");
        percentiles(md.append("| asynchronous acquires |"), lateness, LATENESS, tick);
        md.append(' ').append((long) Json.num(Json.get(lateness, "early"))).append(" | ")
                .append((long) Json.num(Json.get(lateness, "refused"))).append(" |\n");
        if (floor) {
            percentiles(md.append("| floor: a bare parked thread |"), lateness, FLOOR, tick);
            md.append(" – | – |\n");
        }
    }

    private static void percentiles(StringBuilder md, Object lateness, String field, double tick) {
        for (String p : List.of("p50", "p99", "p99.9", "max")) {
            double t = ticks(lateness, field, p);
            md.append(String.format(Locale.ROOT, " %.3f ms (%.2f ticks) |", t * tick / 1e6, t));
        }
    }

    private static void line(StringBuilder md, String target, String figure, String status) {
        md.append("| ").append(target).append(" | ").append(figure).append(" | ").append(status).append(" |\n");
    }

    /** @return "met", "met on the means; not established by the intervals", or "**not met**" */
    private static String status(boolean onMeans, boolean onIntervals) {
        return !onMeans ? "**not met**" : onIntervals ? "met" : "met on the means; not established by the intervals";
    }
}
