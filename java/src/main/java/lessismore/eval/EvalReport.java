package lessismore.eval;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * eval.html: a self-contained page (no script, no external resource) with the warnings, the
 * configuration, the metrics of every split, the test intervals, the confusion matrix and the
 * one-vs-rest ROC curves as inline SVG. It renders the very map written to eval.json, so the two
 * cannot disagree.
 */
public final class EvalReport {
    /** Colours of the ROC curves, one per class, cycled. */
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int PLOT = 320;
    private static final int MARGIN = 40;

    private EvalReport() {
    }

    /** The page for an eval.json document (as built by the evaluate command). */
    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> doc) {
        Map<String, Object> results = (Map<String, Object>) doc.get("results");
        Map<String, Object> splits = (Map<String, Object>) results.get("splits");
        Map<String, Object> test = (Map<String, Object>) results.get("test");
        List<String> classes = (List<String>) doc.get("classes");
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lessismore evaluate</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;"
                        + "margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
                        + "th{background:#f4f4f4}.warn{background:#fff3cd;border:1px solid #e0b000;padding:.6em;"
                        + "margin:.5em 0}pre{background:#f8f8f8;padding:.6em;overflow:auto}</style></head><body>\n")
                .append("<h1>Evaluation: ").append(esc(String.valueOf(((Map<String, Object>) doc.get("config")).get("protocol"))))
                .append(" protocol</h1>\n");
        for (Object w : (List<Object>) doc.get("warnings")) {
            h.append("<div class=\"warn\"><b>Warning:</b> ").append(esc(String.valueOf(w))).append("</div>\n");
        }
        h.append("<h2>Metrics</h2>\n<table><tr><th>split</th><th>n</th><th>AUC</th><th>accuracy</th>"
                + "<th>macro F1</th><th>macro precision</th><th>macro recall</th></tr>\n");
        for (Map.Entry<String, Object> e : splits.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(m.get("n")).append("</td>");
            for (String key : List.of("auc", "accuracy", "macro_f1", "macro_precision", "macro_recall")) {
                h.append("<td>").append(num(m.get(key))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        if (test.containsKey("auc_ci95")) {
            h.append("<p>Test AUC ").append(num(test.get("auc"))).append(" (95% CI ").append(interval(test.get("auc_ci95")))
                    .append("), accuracy ").append(num(test.get("accuracy"))).append(" (95% CI ")
                    .append(interval(test.get("accuracy_ci95"))).append("); percentile bootstrap, ")
                    .append(((Map<String, Object>) test.get("bootstrap")).get("resamples")).append(" resamples.</p>\n");
        }
        h.append("<h2>Test confusion matrix</h2>\n<table><tr><th>true \\ predicted</th>");
        for (String c : classes) {
            h.append("<th>").append(esc(c)).append("</th>");
        }
        h.append("</tr>\n");
        List<List<Long>> rows = (List<List<Long>>) test.get("confusion_matrix_rows_true_columns_predicted");
        for (int r = 0; r < rows.size(); r++) {
            h.append("<tr><th>").append(esc(classes.get(r))).append("</th>");
            for (Long v : rows.get(r)) {
                h.append("<td>").append(v).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<h2>Test ROC curves (one vs rest)</h2>\n")
                .append(rocSvg((Map<String, Object>) test.get("roc_one_vs_rest"), classes));
        h.append("<h2>Configuration</h2>\n<pre>").append(esc(lessismore.output.Json.write(doc.get("config"))))
                .append("</pre>\n</body></html>\n");
        return h.toString();
    }

    /** The curves in one square plot, false positive rate across, true positive rate up, with the chance diagonal. */
    @SuppressWarnings("unchecked")
    private static String rocSvg(Map<String, Object> rocs, List<String> classes) {
        int size = PLOT + 2 * MARGIN;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(size + 160).append("\" height=\"")
                .append(size).append("\" font-size=\"12\">\n");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                MARGIN, MARGIN, PLOT, PLOT));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>%n",
                MARGIN, MARGIN + PLOT, MARGIN + PLOT, MARGIN));
        for (int t = 0; t <= 4; t++) {
            double v = t / 4.0;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>%n",
                    MARGIN + v * PLOT, MARGIN + PLOT + 16, v));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
                    MARGIN - 4, MARGIN + PLOT - v * PLOT + 4, v));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">false positive rate</text>%n",
                MARGIN + PLOT / 2, MARGIN + PLOT + 34));
        s.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" "
                + "text-anchor=\"middle\">true positive rate</text>%n", MARGIN + PLOT / 2, MARGIN + PLOT / 2));
        for (int c = 0; c < classes.size(); c++) {
            Map<String, Object> roc = (Map<String, Object>) rocs.get(classes.get(c));
            if (roc == null) {
                continue;
            }
            List<Double> fpr = (List<Double>) roc.get("fpr");
            List<Double> tpr = (List<Double>) roc.get("tpr");
            String colour = COLOURS[c % COLOURS.length];
            s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"");
            for (int i = 0; i < fpr.size(); i++) {
                s.append(String.format(Locale.ROOT, "%.1f,%.1f ", MARGIN + fpr.get(i) * PLOT, MARGIN + PLOT - tpr.get(i) * PLOT));
            }
            s.append("\"/>\n");
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                    MARGIN + PLOT + 12, MARGIN + 14 + 18 * c, colour, esc(classes.get(c))));
        }
        return s.append("</svg>\n").toString();
    }

    private static String interval(Object ci) {
        List<?> v = (List<?>) ci;
        return num(v.get(0)) + "–" + num(v.get(1));
    }

    private static String num(Object v) {
        return v instanceof Double d && Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "n/a";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
