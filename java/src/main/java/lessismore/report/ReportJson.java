package lessismore.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lessismore.report.ReportData.Counts;
import lessismore.report.ReportModel.Measure;

/** The content of report.json: the page's numbers without its pictures, keys as in summary.json. */
final class ReportJson {
    private ReportJson() {
    }

    static Map<String, Object> of(ReportData d) {
        ReportModel m = d.model();
        Map<String, Object> j = new LinkedHashMap<>();
        for (String key : List.of("tool", "version", "command", "input", "output")) {
            j.put(key, m.summary().get(key));
        }
        j.put("parameters", ReportData.summaryMap(m, "parameters"));
        Map<String, Object> totals = counts(d.totals());
        totals.put("skipped", d.skipped());
        totals.put("volumes", d.rows().size());
        j.put("totals", totals);
        j.put("measure", m.measure() == null ? null : measure(m.measure(), d.histogram()));
        List<Object> volumes = new ArrayList<>();
        for (ReportData.Row r : d.rows()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", r.volume().id());
            v.put("order", r.volume().orderBasis());
            v.putAll(counts(r.counts()));
            volumes.add(v);
        }
        j.put("volumes", volumes);
        Map<String, Object> thumbs = new LinkedHashMap<>();
        thumbs.put("shown", d.totals().thumbnails());
        thumbs.put("omitted", m.thumbnailsOmitted());
        j.put("thumbnails", thumbs);
        List<Object> sample = new ArrayList<>();
        for (DropSample.Pair p : d.sample()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("volume", p.volume().id());
            s.put("index", p.dropped().index());
            s.put("file", p.dropped().file());
            s.put("frame", p.dropped().frame());
            s.put("score", p.dropped().score());
            s.put("reference_volume", p.referenceVolumeId());
            s.put("reference_index", p.dropped().referenceIndex());
            s.put("reference_file", p.reference() == null ? null : p.reference().file());
            sample.add(s);
        }
        j.put("sample", sample);
        return j;
    }

    private static Map<String, Object> counts(Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slices", c.slices());
        m.put("kept", c.kept());
        m.put("dropped", c.dropped());
        m.put("low_information", c.lowInformation());
        m.put("kept_fraction", c.keptFraction());
        return m;
    }

    private static Map<String, Object> measure(Measure me, Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", me.name());
        m.put("direction", me.similarity() ? "similarity" : "distance");
        m.put("redundant_when", (me.similarity() ? ">= " : "<= ") + Text.num(me.threshold()));
        m.put("threshold", me.threshold());
        m.put("keep_fraction_target", me.keepFractionTarget());
        m.put("kept_fraction", me.keptFraction());
        List<Object> search = new ArrayList<>();
        for (double[] t : me.thresholdSearch()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("threshold", t[0]);
            s.put("kept_fraction", t[1]);
            search.add(s);
        }
        m.put("threshold_search", search);
        Map<String, Object> hist = new LinkedHashMap<>();
        hist.put("scores", me.neighbourScores().length);
        hist.put("non_finite", h.nonFinite());
        List<Object> bins = new ArrayList<>();
        for (Histogram.Bin b : h.bins()) {
            Map<String, Object> bin = new LinkedHashMap<>();
            bin.put("from", b.from());
            bin.put("to", b.to());
            bin.put("count", b.count());
            bin.put("redundant", b.redundant());
            bins.add(bin);
        }
        hist.put("bins", bins);
        m.put("histogram", hist);
        return m;
    }
}
