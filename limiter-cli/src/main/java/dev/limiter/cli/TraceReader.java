package dev.limiter.cli;

import dev.limiter.policy.Request;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request trace. CSV: one request per line, {@code time_ms,method,path} then any number of
 * {@code Name: value} header fields (an optional first line starting with {@code time} is a header;
 * lines starting with {@code #} are comments). JSON lines: one object per line,
 * {@code {"time_ms": 12.5, "method": "GET", "path": "/x", "headers": {"Name": "value"}}}. Times are
 * milliseconds from the start, in order.
 */
final class TraceReader {
    private TraceReader() {
    }

    /** @return the events; an {@link IllegalArgumentException} names the line of a malformed one */
    static List<Simulation.Event> read(BufferedReader in, String file) throws IOException {
        List<Simulation.Event> events = new ArrayList<>();
        String line;
        int n = 0;
        long last = 0;
        while ((line = in.readLine()) != null) {
            n++;
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#") || (n == 1 && t.startsWith("time"))) {
                continue;
            }
            Simulation.Event e;
            try {
                e = t.startsWith("{") ? json(t) : csv(t);
            } catch (RuntimeException bad) {
                throw new IllegalArgumentException(file + ":" + n + ": " + bad.getMessage(), bad);
            }
            if (e.nanos() < last) {
                throw new IllegalArgumentException(file + ":" + n + ": expected times in order, found " + e.nanos() / 1e6
                        + " ms after " + last / 1e6 + " ms");
            }
            last = e.nanos();
            events.add(e);
        }
        return events;
    }

    private static long millisToNanos(String ms) {
        double v = Double.parseDouble(ms.trim());
        if (!(v >= 0) || v > 9e12) {
            throw new IllegalArgumentException("expected a time in milliseconds >= 0, found " + ms.trim());
        }
        return Math.round(v * 1e6);
    }

    private static Simulation.Event csv(String line) {
        String[] f = line.split(",", -1);
        if (f.length < 3) {
            throw new IllegalArgumentException("expected time_ms,method,path[,Name: value]..., found '" + line + "'");
        }
        Request.Builder b = Request.of(f[1].trim(), f[2].trim());
        for (int i = 3; i < f.length; i++) {
            int c = f[i].indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException("expected a header 'Name: value', found '" + f[i].trim() + "'");
            }
            b.header(f[i].substring(0, c).trim(), f[i].substring(c + 1).trim());
        }
        return new Simulation.Event(millisToNanos(f[0]), b.build());
    }

    private static Simulation.Event json(String line) {
        JsonObject o = JsonObject.parse(line);
        Request.Builder b = Request.of(o.string("method"), o.string("path"));
        o.object("headers").forEach(b::header);
        return new Simulation.Event(millisToNanos(o.number("time_ms")), b.build());
    }
}
