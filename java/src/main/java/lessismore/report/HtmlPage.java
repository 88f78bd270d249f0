package lessismore.report;

import static lessismore.report.Text.esc;
import static lessismore.report.Text.num;
import static lessismore.report.Text.pct;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import lessismore.report.ReportData.Counts;
import lessismore.report.ReportModel.Measure;
import lessismore.report.ReportModel.SliceView;
import lessismore.report.ReportModel.Thumbnail;
import lessismore.report.ReportModel.VolumeView;

/**
 * report.html: one file that needs nothing at view time. Styles, charts (SVG) and thumbnails
 * (data URIs) are inline, and a Content-Security-Policy forbids the browser to fetch anything,
 * so a page that works offline once works everywhere.
 */
final class HtmlPage {
    /** Sets the marker a test (or a person with dev tools) can wait for. */
    private static final String SCRIPT =
            "addEventListener(\"load\",function(){document.body.dataset.rendered=\"true\"});";

    private static final String CSS = """
            :root{--ink:#1d2733;--muted:#5b6775;--line:#dfe3e8;--bg:#f4f6f8;--card:#fff;\
            --kept:#1f8a5b;--drop:#d23a3a;--low:#c98a0c;--accent:#2f5fb3}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--ink);\
            font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
            header.top{background:#17212c;color:#fff;padding:22px 32px 18px}
            header.top h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.2px}
            header.top h1 span{color:#9fb3c8;font-weight:400}
            header.top .meta{margin-top:6px;color:#b9c6d3;font-size:13px}
            header.top code{color:#fff}
            main{max-width:1240px;margin:0 auto;padding:20px 32px 40px}
            section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;\
            margin:0 0 18px}
            h2{font-size:16px;margin:0 0 12px;font-weight:600}
            h3{font-size:14px;margin:0;font-weight:600;word-break:break-all}
            code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            .muted{color:var(--muted)}
            .note{background:#fff8e6;border:1px solid #f0d9a0;border-radius:6px;padding:8px 12px;margin:0 0 14px}
            .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;\
            background:none;border:0;padding:0}
            .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
            .card .n{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
            .card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
            .card.k{border-top:3px solid var(--kept)}.card.d{border-top:3px solid var(--drop)}\
            .card.lo{border-top:3px solid var(--low)}
            dl.params{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
            dl.params dt{color:var(--muted)}dl.params dd{margin:0;word-break:break-word}
            dl.params dt.hl,dl.params dd.hl{font-weight:600}
            table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
            th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
            th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.4px}
            th:first-child,td:first-child,th.l,td.l{text-align:left}
            td.id{white-space:normal;overflow-wrap:anywhere;min-width:16em}
            td.bar{width:30%}
            a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
            .bar div{display:flex;height:12px;border-radius:3px;overflow:hidden;background:var(--line)}
            .bar span{display:block;height:100%}
            .k-bg{background:var(--kept)}.d-bg{background:var(--drop)}.l-bg{background:var(--low)}
            .legend{display:flex;flex-wrap:wrap;gap:16px;margin:0 0 12px;color:var(--muted);font-size:13px}
            .legend i{display:inline-block;width:14px;height:14px;border-radius:2px;vertical-align:-2px;\
            margin-right:5px}
            .sw-k{background:#6b7682;border-bottom:3px solid var(--kept)}
            .sw-d{background:#d5d9dd;border-bottom:3px solid var(--drop)}
            .sw-l{background:#b7a78a;border-bottom:3px dotted var(--low)}
            .sw-n{background:repeating-linear-gradient(45deg,#dde2e7 0 3px,#f3f5f7 3px 6px)}
            .vol{margin:0 0 16px}.vol:last-child{margin:0}
            .vol .head{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline;margin:0 0 6px}
            .strip{display:flex;flex-wrap:wrap;gap:3px}
            .strip>i{display:block;border-bottom:3px solid var(--kept);background:#fff}
            .strip img{display:block;height:48px;width:auto}
            .strip>.d{border-bottom-color:var(--drop)}.strip>.d img{opacity:.28}
            .strip>.l{border-bottom:3px dotted var(--low)}.strip>.l img{opacity:.6;filter:sepia(.9)}
            .strip>.n{width:48px;height:51px;background:repeating-linear-gradient(45deg,#dde2e7 0 3px,#f3f5f7 3px 6px)}
            .strip img:hover{opacity:1;filter:none;outline:2px solid var(--accent)}
            .charts{display:grid;grid-template-columns:minmax(0,680fr) minmax(0,440fr);gap:24px;align-items:start}
            .charts.one{grid-template-columns:minmax(0,680px)}
            .charts figure{margin:0}
            @media (max-width:900px){.charts{grid-template-columns:minmax(0,1fr)}}
            .charts figcaption{color:var(--muted);font-size:13px;margin-top:4px}
            svg.chart{width:100%;height:auto;display:block;font-size:12px}
            svg .grid{stroke:#edf0f3}svg .axis{stroke:#8a95a1}
            svg .tick{fill:var(--muted)}svg .title{fill:var(--ink);font-size:12px}
            svg .bar-k{fill:#7fa7d9}svg .bar-d{fill:var(--drop)}
            svg .thr{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:5 4}
            svg .thr-label{fill:var(--ink);font-weight:600}
            svg .tgt{stroke:var(--kept);stroke-width:1.5;stroke-dasharray:5 4}svg .tgt-label{fill:var(--kept)}
            svg .search{fill:none;stroke:var(--accent);stroke-width:2}
            svg .pt{fill:var(--accent)}svg .pt.chosen{fill:#fff;stroke:var(--accent);stroke-width:2.5}
            .pairs{display:grid;grid-template-columns:repeat(auto-fill,minmax(228px,1fr));gap:12px}
            .pair{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
            .pair .imgs{display:flex;gap:6px}
            .pair .imgs div{flex:1;text-align:center;font-size:11px;color:var(--muted)}
            .pair img,.pair .none{width:100%;aspect-ratio:1;object-fit:contain;background:#000;display:block;\
            border-bottom:3px solid var(--kept)}
            .pair .dr img,.pair .dr .none{border-bottom-color:var(--drop)}
            .pair .none{background:repeating-linear-gradient(45deg,#dde2e7 0 3px,#f3f5f7 3px 6px)}
            .pair .score{font-weight:600;margin-top:6px;font-variant-numeric:tabular-nums}
            .pair .where{font-size:12px;color:var(--muted);word-break:break-all}
            .pair .x{color:var(--accent);font-weight:600}
            footer{color:var(--muted);font-size:12px;text-align:center;padding:0 32px 28px}
            """;

    private final ReportData d;
    private final Map<Thumbnail, String> uris;
    private final StringBuilder sb;

    private HtmlPage(ReportData d, Map<Thumbnail, String> uris, int capacity) {
        this.d = d;
        this.uris = uris;
        this.sb = new StringBuilder(capacity);
    }

    static String render(ReportData d) throws IOException {
        List<Thumbnail> all = new ArrayList<>();
        for (VolumeView v : d.model().volumes()) {
            for (SliceView s : v.slices()) {
                if (s.thumbnail() != null) {
                    all.add(s.thumbnail());
                }
            }
        }
        Map<Thumbnail, String> uris = Thumbnails.dataUris(all);
        // Thumbnails dominate the size; sizing the builder up front avoids copying tens of MB.
        long estimate = 1L << 16;
        for (String u : uris.values()) {
            estimate += u.length() + 400;
        }
        return new HtmlPage(d, uris, (int) Math.min(Integer.MAX_VALUE - 16, estimate)).page();
    }

    private String page() {
        ReportModel m = d.model();
        String tool = d.summaryText("tool", "lessismore");
        String version = d.summaryText("version", "");
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; ")
                .append("style-src 'unsafe-inline'; script-src 'unsafe-inline'\">")
                .append("<title>").append(esc(tool)).append(" reduce report · ")
                .append(esc(d.summaryText("input", ""))).append("</title>\n<style>\n").append(CSS)
                .append("</style></head>\n<body>\n");
        sb.append("<header class=\"top\"><h1>").append(esc(tool)).append(" <span>reduce report</span></h1>")
                .append("<div class=\"meta\">version ").append(esc(version)).append(" · input <code>")
                .append(esc(d.summaryText("input", "?"))).append("</code>");
        if (m.summary().get("output") != null) {
            sb.append(" · output <code>").append(esc(d.summaryText("output", ""))).append("</code>");
        }
        if (ReportData.summaryMap(m, "timings").get("total_s") instanceof Number s) {
            sb.append(" · ran ").append(num(s.doubleValue())).append(" s");
        }
        sb.append("</div></header>\n<main>\n");
        totals();
        run();
        volumeTable();
        if (m.measure() != null) {
            charts(m.measure());
            sample(m.measure());
        }
        strips();
        sb.append("</main>\n<footer>Generated by ").append(esc(tool)).append(' ').append(esc(version))
                .append(". Every slice's decision is in manifest.csv; the numbers on this page are in report.json.")
                .append("</footer>\n<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return sb.toString();
    }

    private void totals() {
        Counts t = d.totals();
        sb.append("<section class=\"cards\">");
        card("", num(t.slices()), "slices in " + d.rows().size() + (d.rows().size() == 1 ? " volume" : " volumes"));
        card(" k", num(t.kept()), "kept · " + pct(t.keptFraction()));
        card(" d", num(t.dropped()), droppedLabel());
        card(" lo", num(t.lowInformation()), "low-information");
        StringJoiner why = new StringJoiner(", ", "skipped files · ", "").setEmptyValue("skipped files");
        ReportData.summaryMap(d.model(), "skipped_by_reason").forEach((k, v) -> why.add(k + " " + Text.value(v)));
        card("", Long.toString(d.skipped()), why.toString());
        sb.append("</section>\n");
    }

    private void card(String cls, String n, String label) {
        sb.append("<div class=\"card").append(cls).append("\"><div class=\"n\">").append(n)
                .append("</div><div class=\"l\">").append(esc(label)).append("</div></div>");
    }

    private void run() {
        Measure me = d.model().measure();
        sb.append("<section><h2>Run</h2><dl class=\"params\">");
        Map<?, ?> params = ReportData.summaryMap(d.model(), "parameters");
        if (params.get("strategy") != null) {
            param("strategy", Text.value(params.get("strategy")), true);
        }
        if (me == null) {
            param("comparison", "none: this strategy keeps or drops slices without comparing them", true);
        } else {
            param("comparison", me.name() + " " + (me.similarity() ? "similarity" : "distance")
                    + ", redundant when " + Charts.rule(me), true);
            if (me.keepFractionTarget() != null) {
                param("keep-fraction search", "target " + pct(me.keepFractionTarget()) + ", achieved "
                        + pct(me.keptFraction()) + " with threshold " + num(me.threshold()) + " (found in "
                        + me.thresholdSearch().size() + " tries)", true);
            }
        }
        params.forEach((k, v) -> {
            if (!"strategy".equals(k)) {
                param(String.valueOf(k).replace('_', ' '), Text.value(v), false);
            }
        });
        sb.append("</dl></section>\n");
    }

    private void param(String key, String value, boolean highlight) {
        String cls = highlight ? " class=\"hl\"" : "";
        sb.append("<dt").append(cls).append('>').append(esc(key)).append("</dt><dd").append(cls).append('>')
                .append(esc(value)).append("</dd>");
    }

    private void volumeTable() {
        int largest = 1;
        for (ReportData.Row r : d.rows()) {
            largest = Math.max(largest, r.counts().slices());
        }
        sb.append("<section><h2>Reduction per volume</h2><table><thead><tr><th>Volume</th><th class=\"l\">Order</th>")
                .append("<th>Slices</th><th>Kept</th><th>Dropped</th><th>Low-info</th><th>Kept %</th>")
                .append("<th class=\"l\">kept · dropped · low-information</th></tr></thead><tbody>");
        for (int i = 0; i < d.rows().size(); i++) {
            ReportData.Row r = d.rows().get(i);
            Counts c = r.counts();
            sb.append("<tr><td class=\"id\"><a href=\"#v").append(i).append("\">").append(esc(r.volume().id()))
                    .append("</a></td><td class=\"l\">").append(esc(r.volume().orderBasis())).append("</td><td>")
                    .append(c.slices()).append("</td><td>").append(c.kept()).append("</td><td>").append(c.dropped())
                    .append("</td><td>").append(c.lowInformation()).append("</td><td>").append(pct(c.keptFraction()))
                    .append("</td><td class=\"bar\"><div style=\"width:")
                    .append(Text.px(100.0 * c.slices() / largest)).append("%\">");
            segment("k-bg", c.kept(), c.slices());
            segment("d-bg", c.dropped(), c.slices());
            segment("l-bg", c.lowInformation(), c.slices());
            sb.append("</div></td></tr>");
        }
        sb.append("</tbody></table></section>\n");
    }

    private void segment(String cls, int n, int of) {
        if (n > 0) {
            sb.append("<span class=\"").append(cls).append("\" style=\"width:").append(Text.px(100.0 * n / of))
                    .append("%\"></span>");
        }
    }

    private void charts(Measure me) {
        Histogram h = d.histogram();
        sb.append("<section><h2>Scores between neighbouring slices</h2><div class=\"charts")
                .append(me.thresholdSearch().isEmpty() ? " one" : "").append("\"><figure>")
                .append(Charts.histogram(h, me)).append("<figcaption>")
                .append(me.neighbourScores().length).append(" neighbour pairs; red bars are redundant (")
                .append(esc(Charts.rule(me))).append(").");
        if (h.nonFinite() > 0) {
            sb.append(' ').append(h.nonFinite()).append(" undefined scores (NaN) are not shown.");
        }
        sb.append("</figcaption></figure>");
        if (!me.thresholdSearch().isEmpty()) {
            sb.append("<figure>").append(Charts.thresholdSearch(me)).append("<figcaption>--keep-fraction ")
                    .append(me.keepFractionTarget() == null ? "" : pct(me.keepFractionTarget()))
                    .append(": threshold ").append(num(me.threshold())).append(" keeps ").append(pct(me.keptFraction()))
                    .append(" (").append(me.thresholdSearch().size())
                    .append(" thresholds tried).</figcaption></figure>");
        }
        sb.append("</div></section>\n");
    }

    private void sample(Measure me) {
        if (d.sample().isEmpty()) {
            return;
        }
        sb.append("<section><h2>Dropped slices beside their kept reference</h2><p class=\"muted\">")
                .append(d.sample().size()).append(" of ").append(d.totals().dropped())
                .append(" dropped slices, spread over volumes and scores, borderline first.</p><div class=\"pairs\">");
        String what = me.similarity() ? "similarity " : "distance ";
        for (DropSample.Pair p : d.sample()) {
            SliceView s = p.dropped();
            sb.append("<figure class=\"pair\"><div class=\"imgs\"><div class=\"dr\">");
            picture(s.thumbnail(), tooltip(p.volume(), s));
            sb.append("dropped #").append(s.index()).append("</div><div>");
            if (p.reference() == null) {
                picture(null, "reference not in the report");
            } else {
                picture(p.reference().thumbnail(), tooltip(p.referenceVolume(), p.reference()));
            }
            sb.append("kept #").append(s.referenceIndex()).append("</div></div><div class=\"score\">")
                    .append(what).append(num(s.score())).append("</div><div class=\"where\">")
                    .append(esc(p.volume().id())).append("</div>");
            if (p.crossVolume()) {
                sb.append("<div class=\"where x\">reference in ").append(esc(p.referenceVolumeId()))
                        .append("</div>");
            }
            sb.append("</figure>");
        }
        sb.append("</div></section>\n");
    }

    private void picture(Thumbnail t, String title) {
        if (t == null) {
            sb.append("<div class=\"none\" title=\"").append(esc(title)).append("\"></div>");
        } else {
            sb.append("<img src=\"").append(uris.get(t)).append("\" alt=\"\" title=\"").append(esc(title))
                    .append("\">");
        }
    }

    private void strips() {
        if (d.rows().isEmpty()) {
            return;
        }
        sb.append("<section><h2>Slices in anatomical order</h2><div class=\"legend\">")
                .append("<span><i class=\"sw-k\"></i>kept</span><span><i class=\"sw-d\"></i>")
                .append(droppedLabel()).append("</span>")
                .append("<span><i class=\"sw-l\"></i>low-information</span>")
                .append("<span><i class=\"sw-n\"></i>no thumbnail</span>")
                .append("<span>hover a slice for its file and reason</span>")
                .append("</div>");
        if (d.model().thumbnailsOmitted() > 0) {
            sb.append("<p class=\"note\">").append(d.model().thumbnailsOmitted())
                    .append(" slices have no thumbnail because the report's thumbnail cap was reached; they are shown")
                    .append(" as hatched tiles with their decision, and every decision is in manifest.csv.</p>");
        }
        for (int i = 0; i < d.rows().size(); i++) {
            ReportData.Row r = d.rows().get(i);
            VolumeView v = r.volume();
            Counts c = r.counts();
            sb.append("<div class=\"vol\" id=\"v").append(i).append("\"><div class=\"head\"><h3>").append(esc(v.id()))
                    .append("</h3><span class=\"muted\">").append(c.slices()).append(" slices · ").append(c.kept())
                    .append(" kept · ").append(c.dropped()).append(" dropped · ").append(c.lowInformation())
                    .append(" low-information");
            if (c.thumbnails() < c.slices()) {
                sb.append(" · ").append(c.slices() - c.thumbnails()).append(" without thumbnail");
            }
            sb.append(" · ").append(esc(v.orderBasis())).append("</span></div><div class=\"strip\">");
            for (SliceView s : v.slices()) {
                String cls = switch (s.decision()) {
                    case "dropped" -> "d";
                    case "low-information" -> "l";
                    default -> "k";
                };
                Thumbnail t = s.thumbnail();
                // The mark is on the wrapper so that dimming the image does not dim the mark.
                if (t == null) {
                    sb.append("<i class=\"").append(cls).append(" n\" title=\"").append(esc(tooltip(v, s)))
                            .append("\"></i>");
                } else {
                    sb.append("<i class=\"").append(cls).append("\"><img src=\"").append(uris.get(t))
                            .append("\" width=\"").append(t.width()).append("\" height=\"").append(t.height())
                            .append("\" alt=\"\" title=\"").append(esc(tooltip(v, s))).append("\"></i>");
                }
            }
            sb.append("</div></div>\n");
        }
        sb.append("</section>\n");
    }

    /** Only strategies with a measure drop near-duplicates; every-n drops by position. */
    private String droppedLabel() {
        return d.model().measure() == null ? "dropped" : "dropped (near-duplicate)";
    }

    /** The hover text of a slice: index, file (and frame), decision and the manifest's reason. */
    private static String tooltip(VolumeView v, SliceView s) {
        StringBuilder t = new StringBuilder().append(v.id()).append(" · slice ").append(s.index()).append('\n')
                .append(s.file());
        if (s.frame() >= 0) {
            t.append(" (frame ").append(s.frame()).append(')');
        }
        t.append('\n').append(s.decision());
        if (s.reason() != null && !s.reason().isEmpty()) {
            t.append(": ").append(s.reason());
        }
        return t.toString();
    }
}
