package lessismore.experiment;

import java.util.List;
import java.util.Locale;
import lessismore.report.Text;

/**
 * The inline SVG of test AUC (with its 95% interval) against slices kept: one colour per downstream
 * set, one labelled point per pre-trained strategy, and the baseline without pre-training as a
 * dashed horizontal line, since it keeps no slice.
 */
final class Plot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int WIDTH = 640;
    private static final int HEIGHT = 380;
    private static final int LEFT = 60;
    private static final int RIGHT = 160;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;

    private Plot() {
    }

    static String svg(List<String> sets, List<Experiment.Row> rows) {
        int maxKept = Math.max(1, rows.stream().mapToInt(Experiment.Row::kept).max().orElse(1));
        double lo = 1;
        double hi = 0;
        for (Experiment.Row r : rows) {
            for (Experiment.Score s : r.scores()) {
                lo = Math.min(lo, Double.isNaN(s.aucLow()) ? s.auc() : s.aucLow());
                hi = Math.max(hi, Double.isNaN(s.aucHigh()) ? s.auc() : s.aucHigh());
            }
        }
        // Round the AUC axis out to tenths, so a tight cluster of results is not stretched into noise.
        double yMin = Math.max(0, Math.floor(lo * 10) / 10);
        double yMax = Math.min(1, Math.max(yMin + 0.1, Math.ceil(hi * 10) / 10));
        Axes a = new Axes(maxKept * 1.05, yMin, yMax);
        StringBuilder b = new StringBuilder();
        b.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">", WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", LEFT, TOP,
                WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        for (int t = 0; t <= 4; t++) {
            double y = yMin + (yMax - yMin) * t / 4;
            double x = a.xMax * t / 4;
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>", LEFT - 4, a.y(y) + 4, y));
            b.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>", a.x(x), HEIGHT - BOTTOM + 14,
                    x));
        }
        b.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">slices kept</text>",
                LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 12));
        b.append(f("<text transform=\"translate(14 %d) rotate(-90)\" text-anchor=\"middle\">test AUC</text>",
                TOP + (HEIGHT - TOP - BOTTOM) / 2));
        for (int k = 0; k < sets.size(); k++) {
            String colour = COLOURS[k % COLOURS.length];
            b.append(f("<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>", WIDTH - RIGHT + 10, TOP + 14 + 16 * k,
                    colour, Text.esc(sets.get(k))));
            for (Experiment.Row r : rows) {
                Experiment.Score s = r.scores().get(k);
                if (r.strategy().isBaseline()) {
                    b.append(f("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                            + "stroke-dasharray=\"5 4\">"
                            + "<title>no pre-training: %.4f</title></line>", LEFT, WIDTH - RIGHT, a.y(s.auc()),
                            a.y(s.auc()), colour, s.auc()));
                    continue;
                }
                double x = a.x(r.kept());
                if (!Double.isNaN(s.aucLow())) {
                    b.append(f("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x, x,
                            a.y(s.aucLow()), a.y(s.aucHigh()), colour));
                }
                b.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s: %.4f</title></circle>", x,
                        a.y(s.auc()), colour, Text.esc(r.strategy().spec()), s.auc()));
                b.append(f("<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>", x + 6, a.y(s.auc()) - 4, colour,
                        Text.esc(r.strategy().spec())));
            }
        }
        b.append(f("<text x=\"%d\" y=\"%d\" fill=\"#555\">dashed: no pre-training</text>", WIDTH - RIGHT + 10,
                TOP + 14 + 16 * sets.size()));
        return b.append("</svg>").toString();
    }

    /** Maps data to pixels inside the plot frame. */
    private record Axes(double xMax, double yMin, double yMax) {
        double x(double v) {
            return LEFT + v / xMax * (WIDTH - LEFT - RIGHT);
        }

        double y(double v) {
            return HEIGHT - BOTTOM - (v - yMin) / (yMax - yMin) * (HEIGHT - TOP - BOTTOM);
        }
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
