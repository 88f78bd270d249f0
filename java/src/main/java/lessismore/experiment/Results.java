package lessismore.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import lessismore.output.AtomicFile;
import lessismore.output.Csv;
import lessismore.report.Text;

/**
 * Writes the experiment's table as results.csv, results.md and a self-contained results.html (the
 * best value of each score column marked, and an SVG plot of test AUC against slices kept). Every
 * file is written atomically, so a reader never sees half a table.
 */
final class Results {
    private Results() {
    }

    static void write(Path out, Experiment.Config config, List<Experiment.Row> rows) throws IOException {
        List<String> sets = config.downstream().stream().map(Experiment::setName).toList();
        AtomicFile.writeText(out.resolve("results.csv"), csv(sets, rows));
        AtomicFile.writeText(out.resolve("results.md"), markdown(config, sets, rows));
        AtomicFile.writeText(out.resolve("results.html"), html(config, sets, rows));
    }

    /** Header and cells of the table, shared by the three formats; scores keep full precision in CSV only. */
    private static List<String> header(List<String> sets) {
        List<String> h = new ArrayList<>(List.of("strategy", "slices_kept", "kept_fraction", "pretrain_seconds",
                "images_per_s"));
        for (String s : sets) {
            h.addAll(List.of(s + "_auc", s + "_auc_ci95_low", s + "_auc_ci95_high", s + "_accuracy"));
        }
        return h;
    }

    static String csv(List<String> sets, List<Experiment.Row> rows) {
        StringBuilder b = new StringBuilder(String.join(",", header(sets).stream().map(Csv::field).toList()))
                .append('\n');
        for (Experiment.Row r : rows) {
            List<String> f = new ArrayList<>(List.of(Csv.field(r.strategy().spec()), Integer.toString(r.kept()),
                    num(r.keptFraction(), "%.6f"), num(r.pretrainSeconds(), "%.3f"), num(r.imagesPerSecond(), "%.3f")));
            for (Experiment.Score s : r.scores()) {
                f.addAll(List.of(num(s.auc(), "%.6f"), num(s.aucLow(), "%.6f"), num(s.aucHigh(), "%.6f"),
                        num(s.accuracy(), "%.6f")));
            }
            b.append(String.join(",", f)).append('\n');
        }
        return b.toString();
    }

    /** The display cells of a row: strategy, kept, fraction, seconds, images/s, then AUC [CI] and accuracy per set. */
    private static List<String> display(Experiment.Row r) {
        boolean base = r.strategy().isBaseline();
        List<String> c = new ArrayList<>(List.of(base ? "none (no pre-training)" : r.strategy().spec(),
                base ? "-" : Integer.toString(r.kept()), base ? "-" : num(100 * r.keptFraction(), "%.1f%%"),
                base ? "-" : num(r.pretrainSeconds(), "%.1f"), base ? "-" : num(r.imagesPerSecond(), "%.1f")));
        for (Experiment.Score s : r.scores()) {
            c.add(num(s.auc(), "%.4f") + (Double.isNaN(s.aucLow()) ? ""
                    : " [" + num(s.aucLow(), "%.4f") + ", " + num(s.aucHigh(), "%.4f") + "]"));
            c.add(num(s.accuracy(), "%.4f"));
        }
        return c;
    }

    private static List<String> displayHeader(List<String> sets) {
        List<String> h = new ArrayList<>(List.of("strategy", "slices kept", "kept fraction", "pre-training s",
                "images/s"));
        for (String s : sets) {
            h.add(s + " AUC [95% CI]");
            h.add(s + " accuracy");
        }
        return h;
    }

    static String markdown(Experiment.Config config, List<String> sets, List<Experiment.Row> rows) {
        StringBuilder b = new StringBuilder("# Experiment results\n\n").append(describe(config)).append("\n\n");
        List<String> h = displayHeader(sets);
        b.append("| ").append(String.join(" | ", h)).append(" |\n|");
        b.append("---|".repeat(h.size())).append('\n');
        for (Experiment.Row r : rows) {
            b.append("| ").append(String.join(" | ", display(r))).append(" |\n");
        }
        return b.toString();
    }

    private static String describe(Experiment.Config c) {
        return String.format(Locale.ROOT, "Pre-training: %s, %s, %d px, batch %d, %s %d per strategy, seed %d. "
                        + "Pre-training s: wall time of the training steps (reading the slices excluded); "
                        + "images/s: steps x batch / that time. Downstream: linear probe at %d px, "
                        + "%d bootstrap resamples for the 95%% intervals (test split).",
                c.pretrainData().toAbsolutePath().normalize(), c.arch(), c.size(), c.batch(), c.budget(),
                c.budget().equals("epochs") ? c.epochs() : c.steps(), c.seed(), c.evalSize(), c.bootstrap());
    }

    static String html(Experiment.Config config, List<String> sets, List<Experiment.Row> rows) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>lessismore experiment</title><style>body{font-family:sans-serif;margin:2em}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                + "td:first-child,th:first-child{text-align:left}.best{font-weight:bold;background:#e6f4e6}"
                + "</style></head><body>\n<h1>Experiment results</h1>\n<p>")
                .append(Text.esc(describe(config))).append(" The best value of each score column is marked.</p>\n");
        List<String> h = displayHeader(sets);
        b.append("<table><tr>");
        h.forEach(x -> b.append("<th>").append(Text.esc(x)).append("</th>"));
        b.append("</tr>\n");
        for (Experiment.Row r : rows) {
            List<String> cells = display(r);
            b.append("<tr>");
            for (int i = 0; i < cells.size(); i++) {
                boolean best = isBest(rows, r, i);
                b.append(best ? "<td class=\"best\">" : "<td>").append(Text.esc(cells.get(i))).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n<h2>Test AUC against slices kept</h2>\n").append(Plot.svg(sets, rows))
                .append("\n</body></html>\n");
        return b.toString();
    }

    /** Whether display column {@code i} of {@code r} holds its best value (highest AUC, accuracy or images/s). */
    private static boolean isBest(List<Experiment.Row> rows, Experiment.Row r, int i) {
        if (i < 4) {
            return false;   // strategy, kept and time describe the arm rather than score it
        }
        double v = value(r, i);
        return !Double.isNaN(v) && rows.stream().mapToDouble(x -> value(x, i)).filter(x -> !Double.isNaN(x))
                .max().orElse(Double.NaN) == v;
    }

    private static double value(Experiment.Row r, int i) {
        if (i == 4) {
            return r.imagesPerSecond();
        }
        Experiment.Score s = r.scores().get((i - 5) / 2);
        return (i - 5) % 2 == 0 ? s.auc() : s.accuracy();
    }

    static String num(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }
}
