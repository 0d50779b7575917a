package dev.limiter.cli;

import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Simulation} as one self-contained HTML page: a summary, an inline SVG chart of
 * admitted, denied and refused requests per time bucket (stacked bars, no scripts, no external
 * resources), and the per-rule and per-message tables.
 */
final class SimulationPage {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 380;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;

    private SimulationPage() {
    }

    static String render(Simulation s, String title) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}"
                + "table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 10px;"
                + "text-align:right}td:first-child,th:first-child{text-align:left}.a{fill:#2e7d32}.d{fill:#c62828}.r{fill:#f9a825}"
                + "</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n<p>")
                .append(String.format(Locale.ROOT, "%d requests over %.3f s: %d admitted, %d denied, %d refused"
                        + " (missing key), %d matched no rule.", s.requests, s.seconds(), s.admitted, s.denied, s.refused,
                        s.unmatched)).append("</p>\n");
        chart(h, s);
        h.append("<h2>Per rule</h2>\n<table><tr><th>rule</th><th>admitted</th><th>admitted/s</th><th>denied</th>"
                + "<th>refused</th></tr>\n");
        for (Map.Entry<String, long[]> e : s.perRule.entrySet()) {
            if (e.getValue()[0] + e.getValue()[1] + e.getValue()[2] == 0) {
                continue;
            }
            h.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(e.getValue()[0])
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", e.getValue()[0] / s.seconds()))
                    .append("</td><td>").append(e.getValue()[1]).append("</td><td>").append(e.getValue()[2])
                    .append("</td></tr>\n");
        }
        if (!s.refusalsByReason.isEmpty()) {
            h.append("</table>\n<h2>Refused for a missing or malformed key</h2>\n<table><tr><th>status and message</th>"
                    + "<th>refusals</th></tr>\n");
            for (Map.Entry<String, Long> e : s.refusalsByReason.entrySet()) {
                h.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(e.getValue())
                        .append("</td></tr>\n");
            }
        }
        h.append("</table>\n<h2>Denials by message</h2>\n<table><tr><th>message</th><th>denials</th></tr>\n");
        for (Map.Entry<String, Long> e : s.denialsByMessage.entrySet()) {
            h.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    private static void chart(StringBuilder h, Simulation s) {
        int n = s.admittedPerBucket.length;
        long max = 1;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, s.admittedPerBucket[i] + s.deniedPerBucket[i] + s.refusedPerBucket[i]);
        }
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double barW = plotW / n;
        h.append("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"admitted, denied and refused requests over time\">\n")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"#fff\"/>\n");
        for (int t = 0; t <= 4; t++) {
            double y = TOP + plotH - plotH * t / 4;
            h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.0f\" font-size=\"12\" text-anchor=\"end\">%d</text>"
                    + "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#eee\"/>\n",
                    LEFT - 6, y + 4, max * t / 4, LEFT, y, WIDTH - RIGHT, y));
        }
        for (int i = 0; i < n; i++) {
            double x = LEFT + i * barW;
            double ha = plotH * s.admittedPerBucket[i] / max;
            double hd = plotH * s.deniedPerBucket[i] / max;
            double hr = plotH * s.refusedPerBucket[i] / max;
            double base = TOP + plotH;
            h.append(String.format(Locale.ROOT,
                    "<rect class=\"a\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%d admitted</title></rect>"
                    + "<rect class=\"d\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%d denied</title></rect>\n",
                    x, base - ha, Math.max(0.5, barW - 1), ha, s.admittedPerBucket[i],
                    x, base - ha - hd, Math.max(0.5, barW - 1), hd, s.deniedPerBucket[i]));
            if (s.refusedPerBucket[i] > 0) {
                h.append(String.format(Locale.ROOT, "<rect class=\"r\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\""
                        + " height=\"%.2f\"><title>%d refused</title></rect>\n", x, base - ha - hd - hr,
                        Math.max(0.5, barW - 1), hr, s.refusedPerBucket[i]));
            }
        }
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\" stroke=\"#333\"/>"
                + "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#333\"/>\n",
                LEFT, TOP, LEFT, TOP + plotH, LEFT, TOP + plotH, WIDTH - RIGHT, TOP + plotH));
        for (int t = 0; t <= 5; t++) {
            double x = LEFT + plotW * t / 5;
            h.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">%.2fs</text>\n",
                    x, TOP + plotH + 18, s.seconds() * t / 5));
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">requests per %s bucket</text>",
                LEFT + 8, TOP + 12, dev.limiter.policy.dsl.PolicyPrinter.duration(s.bucketNanos)))
                .append(String.format(Locale.ROOT, "<rect class=\"a\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"12\">admitted</text>"
                        + "<rect class=\"d\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"12\">denied</text>"
                        + "<rect class=\"r\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"12\">refused (missing key)</text>\n",
                        LEFT, HEIGHT - 20, LEFT + 16, HEIGHT - 10, LEFT + 100, HEIGHT - 20, LEFT + 116, HEIGHT - 10,
                        LEFT + 190, HEIGHT - 20, LEFT + 206, HEIGHT - 10))
                .append("</svg>\n");
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                case '"': sb.append("&quot;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }
}
