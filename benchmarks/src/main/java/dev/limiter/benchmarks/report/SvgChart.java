package dev.limiter.benchmarks.report;

import java.util.List;
import java.util.Locale;

/**
 * Draws a horizontal bar chart as hand-written SVG: one bar per labelled value, an optional error
 * bar (value ± error) on each, bars grouped under headings (for example one group per thread
 * count), and a colour per kind (this engine, a competitor, a floor).
 *
 * <p>The output is self-contained SVG 1.1 that GitHub and browsers render inline. Not thread-safe;
 * build one chart per thread.
 */
public final class SvgChart {
    /** What a bar stands for; decides its colour. */
    public enum Kind {
        /** This engine. */
        ENGINE("#2b6cb0"),
        /** A competing library. */
        COMPETITOR("#dd6b20"),
        /** A physical floor. */
        FLOOR("#718096");

        final String colour;

        Kind(String colour) {
            this.colour = colour;
        }
    }

    /**
     * One bar.
     *
     * @param group  the heading it is drawn under
     * @param label  text left of the bar
     * @param value  the bar's length
     * @param error  half-width of the error bar; NaN or 0 for none
     * @param kind   colour
     */
    public record Bar(String group, String label, double value, double error, Kind kind) {
    }

    private static final int WIDTH = 860;
    private static final int LABEL_WIDTH = 260;
    private static final int VALUE_WIDTH = 130;
    private static final int BAR_HEIGHT = 18;
    private static final int ROW = 24;
    private static final int GROUP_GAP = 26;

    private SvgChart() {
    }

    /** @return the SVG document for {@code bars}, titled, with the axis labelled in {@code unit} */
    public static String render(String title, String unit, List<Bar> bars) {
        double max = 0;
        for (Bar b : bars) {
            double e = Double.isNaN(b.error()) ? 0 : b.error();
            max = Math.max(max, b.value() + e);
        }
        max = niceCeiling(max);
        int plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        int groups = (int) bars.stream().map(Bar::group).distinct().count();
        int height = 70 + bars.size() * ROW + groups * GROUP_GAP + 40;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        s.append(text(WIDTH / 2, 22, "middle", 15, "bold", title));
        legend(s, 34);
        int y = 62;
        String group = null;
        int top = y;
        StringBuilder body = new StringBuilder();
        StringBuilder all = s;
        s = body;
        for (Bar b : bars) {
            if (!b.group().equals(group)) {
                group = b.group();
                y += 6;
                s.append(text(8, y + 12, "start", 12, "bold", group));
                y += GROUP_GAP - 6;
            }
            double w = max > 0 ? b.value() / max * plot : 0;
            s.append(text(LABEL_WIDTH - 8, y + 13, "end", 12, "normal", b.label()));
            s.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>%n",
                    LABEL_WIDTH, y, w, BAR_HEIGHT, b.kind().colour, escape(b.label()), JmhRow.fmt(b.value())));
            String value = JmhRow.fmt(b.value());
            if (!Double.isNaN(b.error()) && b.error() > 0) {
                double lo = Math.max(0, b.value() - b.error()) / max * plot + LABEL_WIDTH;
                double hi = (b.value() + b.error()) / max * plot + LABEL_WIDTH;
                int mid = y + BAR_HEIGHT / 2;
                s.append(String.format(Locale.ROOT,
                        "<path d=\"M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d\" stroke=\"#1a202c\" stroke-width=\"1.5\"/>%n",
                        lo, mid, hi, lo, mid - 5, mid + 5, hi, mid - 5, mid + 5));
                value += " ± " + JmhRow.fmt(b.error());
                w = hi - LABEL_WIDTH;
            }
            s.append(text((int) (LABEL_WIDTH + w + 6), y + 13, "start", 11, "normal", value));
            y += ROW;
        }
        axis(all, top, y + 4, plot, max, unit); // grid first, so the bars are drawn over it
        all.append(body).append("</svg>\n");
        return all.toString();
    }

    private static void legend(StringBuilder s, int y) {
        int x = LABEL_WIDTH;
        String[] names = {"this engine", "competitor", "floor"};
        Kind[] kinds = Kind.values();
        for (int i = 0; i < kinds.length; i++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y, kinds[i].colour));
            s.append(text(x + 16, y + 10, "start", 11, "normal", names[i]));
            x += 110;
        }
        s.append(text(x + 10, y + 10, "start", 11, "normal", "whiskers: 99.9% confidence interval"));
    }

    private static void axis(StringBuilder s, int top, int bottom, int plot, double max, String unit) {
        for (int i = 0; i <= 4; i++) {
            double x = LABEL_WIDTH + plot * i / 4.0;
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#cbd5e0\" stroke-dasharray=\"3 3\"/>%n",
                    x, top, x, bottom));
            s.append(text((int) x, bottom + 14, "middle", 11, "normal", JmhRow.fmt(max * i / 4)));
        }
        s.append(text(LABEL_WIDTH + plot / 2, bottom + 30, "middle", 12, "normal", unit));
    }

    private static double niceCeiling(double v) {
        if (v <= 0 || Double.isNaN(v)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String text(int x, int y, String anchor, int size, String weight, String body) {
        return String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\" fill=\"#1a202c\">%s</text>%n",
                x, y, anchor, size, weight, escape(body));
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
