package lessismore.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import lessismore.Version;
import lessismore.output.Json;

/**
 * {@code report.html} of a pre-training run: one self-contained page (inline SVG and CSS, no script,
 * nothing fetched) with the loss and learning-rate curves per step, the throughput, the
 * configuration and the data.
 */
final class TrainingReport {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 220;
    private static final int MARGIN = 48;
    /** Room left of the plot for the y-axis labels. */
    private static final int LEFT = 72;

    private TrainingReport() {
    }

    /** The page for {@code r}. */
    static String html(PretrainRun.Result r, Map<String, Object> data, Map<String, Object> augmentation) {
        List<StepMetrics> m = r.metrics();
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>lessismore pretrain report</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}")
                .append("svg{background:#fafafa;border:1px solid #ddd}pre{background:#f4f4f4;padding:.6em}")
                .append("</style></head><body>\n<h1>SimCLR pre-training</h1>\n");
        sb.append("<p>lessismore ").append(escape(Version.get())).append(", ")
                .append(escape(r.config().toString())).append("</p>\n");
        sb.append("<h2>Summary</h2>\n<table>\n");
        row(sb, "images", Integer.toString(r.images()));
        row(sb, "steps", m.isEmpty() ? "0" : Long.toString(m.getLast().step()));
        if (r.firstStep() > 0) {
            row(sb, "resumed after step", Long.toString(r.firstStep()));
        }
        if (!m.isEmpty()) {
            row(sb, "loss, first epoch mean", fmt(r.epochMeanLoss(m.getFirst().epoch())));
            row(sb, "loss, last epoch mean", fmt(r.epochMeanLoss(m.getLast().epoch())));
            row(sb, "throughput (median step)", fmt(medianRate(m)) + " images/s (2 views each)");
            row(sb, "training time", fmt(m.getLast().seconds()) + " s");
        }
        row(sb, "last checkpoint", r.checkpoint() == null ? "none" : r.checkpoint().getFileName().toString());
        sb.append("</table>\n");
        sb.append("<h2>Loss</h2>\n").append(chart(m, StepMetrics::loss, "#c0392b", "NT-Xent loss"));
        sb.append("<h2>Learning rate</h2>\n").append(chart(m, StepMetrics::lr, "#2471a3", "learning rate"));
        sb.append("<h2>Throughput</h2>\n").append(chart(m, StepMetrics::imagesPerSecond, "#1e8449", "images/s"));
        sb.append("<h2>Configuration</h2>\n<pre>").append(escape(Json.write(r.config().describe()))).append("</pre>\n");
        sb.append("<h2>Data</h2>\n<pre>").append(escape(Json.write(data))).append("</pre>\n");
        sb.append("<h2>Augmentation</h2>\n<pre>").append(escape(Json.write(augmentation))).append("</pre>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static double medianRate(List<StepMetrics> m) {
        double[] r = m.stream().mapToDouble(StepMetrics::imagesPerSecond).sorted().toArray();
        return r[r.length / 2];
    }

    /** A line chart of one metric against the step, with its range on the y axis. */
    private static String chart(List<StepMetrics> m, ToDoubleFunction<StepMetrics> f, String colour, String label) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                WIDTH, HEIGHT, label));
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (StepMetrics s : m) {
            double v = f.applyAsDouble(s);
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (m.isEmpty() || lo > hi) {
            return sb.append("<text x=\"20\" y=\"40\">no data</text></svg>\n").toString();
        }
        if (hi == lo) {
            hi = lo + Math.max(1e-9, Math.abs(lo) * 0.1);
        }
        long first = m.getFirst().step();
        long span = Math.max(1, m.getLast().step() - first);
        int plotW = WIDTH - LEFT - MARGIN;
        int plotH = HEIGHT - 2 * MARGIN;
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>", LEFT, MARGIN, plotW, plotH));
        sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colour).append("\" points=\"");
        for (StepMetrics s : m) {
            double v = f.applyAsDouble(s);
            if (Double.isFinite(v)) {
                double x = LEFT + plotW * (double) (s.step() - first) / span;
                double y = MARGIN + plotH * (1 - (v - lo) / (hi - lo));
                sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
        }
        sb.append("\"/>");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s"
                + "</text>", LEFT - 4, MARGIN + 4, fmt(hi)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s"
                + "</text>", LEFT - 4, MARGIN + plotH, fmt(lo)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">step %d</text>", LEFT,
                HEIGHT - MARGIN / 2, first));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">step %d"
                + "</text>", WIDTH - MARGIN, HEIGHT - MARGIN / 2, m.getLast().step()));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", LEFT,
                MARGIN - 10, escape(label)));
        return sb.append("</svg>\n").toString();
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
