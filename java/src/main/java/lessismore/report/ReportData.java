package lessismore.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import lessismore.report.ReportModel.SliceView;
import lessismore.report.ReportModel.VolumeView;

/**
 * The numbers derived from a {@link ReportModel}, computed once so that report.html and
 * report.json cannot disagree.
 *
 * @param model     the model
 * @param totals    counts over all volumes
 * @param rows      counts per volume, in the model's order
 * @param skipped   input files skipped before selection (from the summary's totals)
 * @param histogram the neighbour-score histogram, or null without a measure
 * @param sample    dropped slices beside their references
 */
record ReportData(ReportModel model, Counts totals, List<Row> rows, long skipped, Histogram histogram,
                  List<DropSample.Pair> sample) {

    /** Slice counts of one volume or of the whole run. */
    record Counts(int slices, int kept, int dropped, int lowInformation, int thumbnails) {
        Counts plus(Counts o) {
            return new Counts(slices + o.slices, kept + o.kept, dropped + o.dropped,
                    lowInformation + o.lowInformation, thumbnails + o.thumbnails);
        }

        double keptFraction() {
            return slices == 0 ? Double.NaN : (double) kept / slices;
        }
    }

    /** A volume with its counts. */
    record Row(VolumeView volume, Counts counts) {
    }

    static ReportData of(ReportModel m) {
        List<Row> rows = new ArrayList<>(m.volumes().size());
        Counts totals = new Counts(0, 0, 0, 0, 0);
        for (VolumeView v : m.volumes()) {
            int kept = 0;
            int dropped = 0;
            int low = 0;
            int thumbs = 0;
            for (SliceView s : v.slices()) {
                switch (s.decision()) {
                    case "kept" -> kept++;
                    case "dropped" -> dropped++;
                    case "low-information" -> low++;
                    default -> throw new IllegalArgumentException(
                            "unknown decision '" + s.decision() + "' in volume " + v.id());
                }
                thumbs += s.thumbnail() == null ? 0 : 1;
            }
            Counts c = new Counts(v.slices().size(), kept, dropped, low, thumbs);
            rows.add(new Row(v, c));
            totals = totals.plus(c);
        }
        long skipped = summaryMap(m, "totals").get("skipped") instanceof Number n ? n.longValue() : 0;
        ReportModel.Measure me = m.measure();
        Histogram h = me == null ? null : Histogram.of(me.neighbourScores(), me.threshold(), me.similarity());
        List<DropSample.Pair> sample = DropSample.of(m.volumes(), me != null && me.similarity());
        return new ReportData(m, totals, rows, skipped, h, sample);
    }

    /** A string entry of the summary, or {@code fallback}. */
    String summaryText(String key, String fallback) {
        Object v = model.summary().get(key);
        return v == null ? fallback : v.toString();
    }

    /** A map entry of the summary (e.g. parameters, totals), or an empty map. */
    static Map<?, ?> summaryMap(ReportModel m, String key) {
        return m.summary().get(key) instanceof Map<?, ?> map ? map : Map.of();
    }
}
