package lessismore.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import lessismore.report.ReportModel.Measure;
import lessismore.report.ReportModel.SliceView;
import lessismore.report.ReportModel.Thumbnail;
import lessismore.report.ReportModel.VolumeView;

/**
 * Report models that look like real runs: CT-like thumbnails (a body with lungs and spine that
 * change slowly along the volume, plus noise), Hamming distances from a greedy hash selection,
 * low-information slices at the ends of a volume, a cross-volume reference, and a keep-fraction
 * search. File names and ids contain {@code <&"} so that escaping is exercised everywhere.
 */
final class ReportFixture {
    static final String NASTY_DIR = "scan <b>&\"2\"";
    static final double KEEP_TARGET = 0.3;

    private ReportFixture() {
    }

    /** The run of the browser test: 3 volumes of 40–150 slices, hash rule with --keep-fraction. */
    static ReportModel realistic(long seed) {
        int[] sizes = {142, 47, 88};
        Random r = new Random(seed);
        List<double[]> distances = new ArrayList<>();
        List<List<Thumbnail>> thumbs = new ArrayList<>();
        for (int v = 0; v < sizes.length; v++) {
            distances.add(neighbourDistances(r, sizes[v]));
            List<Thumbnail> t = new ArrayList<>();
            for (int i = 0; i < sizes[v]; i++) {
                t.add(thumbnail(r, v, i, sizes[v], airEnd(v, i, sizes[v])));
            }
            thumbs.add(t);
        }
        // Bisection over integer thresholds, as --keep-fraction does, recording every try.
        List<double[]> search = new ArrayList<>();
        int lo = 0;
        int hi = 32;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            double f = keptFraction(volumes(distances, thumbs, mid));
            search.add(new double[] {mid, f});
            if (f > KEEP_TARGET) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int threshold = lo;
        List<VolumeView> volumes = volumes(distances, thumbs, threshold);
        if (search.stream().noneMatch(p -> p[0] == threshold)) {
            search.add(new double[] {threshold, keptFraction(volumes)});
        }
        List<Double> neighbour = new ArrayList<>();
        for (double[] d : distances) {
            for (int i = 1; i < d.length; i++) {
                neighbour.add(d[i]);
            }
        }
        Measure m = new Measure("dhash-8", false, threshold, KEEP_TARGET, keptFraction(volumes),
                neighbour.stream().mapToDouble(Double::doubleValue).toArray(), search);
        return new ReportModel(summary("hash", volumes), m, volumes, 0);
    }

    private static List<VolumeView> volumes(List<double[]> distances, List<List<Thumbnail>> thumbs, int threshold) {
        String[] ids = {"chest-phase00-2f16ad46", "head&neck-\"tilt\"-cc1931f2", "abdomen-<pv>-34c687fd"};
        List<VolumeView> volumes = new ArrayList<>();
        for (int v = 0; v < distances.size(); v++) {
            volumes.add(volume(ids[v], v, distances.get(v), threshold, thumbs.get(v)));
        }
        crossVolumeReference(volumes);
        return volumes;
    }

    private static double keptFraction(List<VolumeView> volumes) {
        long all = volumes.stream().mapToLong(v -> v.slices().size()).sum();
        return volumes.stream().flatMap(v -> v.slices().stream()).filter(s -> s.decision().equals("kept"))
                .count() / (double) all;
    }

    /** The second volume (a head) starts and ends in air: low-information slices. */
    private static boolean airEnd(int volume, int i, int n) {
        return volume == 1 && (i < 3 || i >= n - 2);
    }

    /** A large run: {@code volumes} volumes of {@code perVolume} slices each, for timing. */
    static ReportModel large(int volumeCount, int perVolume, long seed) {
        Random r = new Random(seed);
        List<VolumeView> volumes = new ArrayList<>();
        List<Double> neighbour = new ArrayList<>();
        for (int v = 0; v < volumeCount; v++) {
            double[] d = neighbourDistances(r, perVolume);
            List<Thumbnail> thumbs = new ArrayList<>();
            for (int i = 0; i < perVolume; i++) {
                thumbs.add(thumbnail(r, v % 3, i, perVolume, false));
            }
            volumes.add(volume("vol-" + v, v % 3, d, 6, thumbs));
            for (int i = 1; i < perVolume; i++) {
                neighbour.add(d[i]);
            }
        }
        Measure m = new Measure("dhash-8", false, 6, null, 0.3,
                neighbour.stream().mapToDouble(Double::doubleValue).toArray(), List.of());
        return new ReportModel(summary("hash", volumes), m, volumes, 0);
    }

    /** The summary map the pipeline writes to summary.json, for these volumes. */
    static Map<String, Object> summary(String strategy, List<VolumeView> volumes) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("tool", "lessismore");
        s.put("version", "0.1.0");
        s.put("command", "reduce");
        s.put("input", "/data/ct <study> & \"set\"");
        s.put("output", "/tmp/out");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", strategy);
        if (strategy.equals("hash")) {
            p.put("keep_fraction", KEEP_TARGET);
            p.put("signature", "dhash-8 (imagehash 4.3, PIL LANCZOS 9x8)");
            p.put("downsample", "2x2 mean before signing");
        } else {
            p.put("n", 3);
        }
        p.put("preprocessing", "published min-max (int16 HU, -2000 -> 0, slope, intercept -1024 default)");
        p.put("order", "anatomical");
        p.put("threads", 2);
        s.put("parameters", p);
        int slices = volumes.stream().mapToInt(v -> v.slices().size()).sum();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("files", slices + 2);
        t.put("slices", slices);
        t.put("skipped", 2);
        s.put("totals", t);
        s.put("skipped_by_reason", Map.of("not-image", 2));
        s.put("timings", Map.of("total_s", 3.1109));
        return s;
    }

    /**
     * The realistic run as if compared by a similarity (SSIM-like, larger is more alike): every
     * distance d becomes 1 − d/64, so the decisions stay the same.
     */
    static ReportModel similarity(long seed) {
        ReportModel base = realistic(seed);
        List<VolumeView> volumes = new ArrayList<>();
        for (VolumeView v : base.volumes()) {
            List<SliceView> slices = new ArrayList<>();
            for (SliceView s : v.slices()) {
                slices.add(new SliceView(s.index(), s.file(), s.frame(), s.decision(), s.reason(),
                        s.referenceVolume(), s.referenceIndex(), 1 - s.score() / 64, s.thumbnail()));
            }
            volumes.add(new VolumeView(v.id(), v.orderBasis(), slices));
        }
        Measure m = base.measure();
        List<double[]> search = m.thresholdSearch().stream().map(p -> new double[] {1 - p[0] / 64, p[1]}).toList();
        double[] scores = Arrays.stream(m.neighbourScores()).map(d -> 1 - d / 64).toArray();
        return new ReportModel(base.summary(), new Measure("ssim", true, 1 - m.threshold() / 64,
                m.keepFractionTarget(), m.keptFraction(), scores, search), volumes, 0);
    }

    /** The same volumes decided by keeping every n-th slice: no measure, no scores. */
    static ReportModel everyN(long seed) {
        ReportModel base = realistic(seed);
        List<VolumeView> volumes = new ArrayList<>();
        for (VolumeView v : base.volumes()) {
            List<SliceView> slices = new ArrayList<>();
            for (SliceView s : v.slices()) {
                boolean keep = s.index() % 3 == 0;
                slices.add(new SliceView(s.index(), s.file(), s.frame(), keep ? "kept" : "dropped",
                        keep ? "every 3rd slice" : "not a 3rd slice", null, -1, Double.NaN, s.thumbnail()));
            }
            volumes.add(new VolumeView(v.id(), v.orderBasis(), slices));
        }
        return new ReportModel(summary("every-n", volumes), null, volumes, 0);
    }

    /** {@code m} with the thumbnails of all slices from {@code fromIndex} on removed, as the cap does. */
    static ReportModel capped(ReportModel m, int fromIndex) {
        List<VolumeView> volumes = new ArrayList<>();
        int seen = 0;
        int omitted = 0;
        for (VolumeView v : m.volumes()) {
            List<SliceView> slices = new ArrayList<>();
            for (SliceView s : v.slices()) {
                boolean drop = seen++ >= fromIndex;
                omitted += drop ? 1 : 0;
                slices.add(new SliceView(s.index(), s.file(), s.frame(), s.decision(), s.reason(),
                        s.referenceVolume(), s.referenceIndex(), s.score(), drop ? null : s.thumbnail()));
            }
            volumes.add(new VolumeView(v.id(), v.orderBasis(), slices));
        }
        return new ReportModel(m.summary(), m.measure(), volumes, omitted);
    }

    /** Distances of each slice to its predecessor: mostly small, with occasional jumps. */
    private static double[] neighbourDistances(Random r, int n) {
        double[] d = new double[n];
        for (int i = 1; i < n; i++) {
            d[i] = r.nextDouble() < 0.12 ? 8 + r.nextInt(14) : Math.min(7, (int) Math.abs(r.nextGaussian() * 2.5));
        }
        return d;
    }

    /** Greedy selection on the cumulative distance to the last kept slice. */
    private static VolumeView volume(String id, int v, double[] d, int threshold, List<Thumbnail> thumbs) {
        List<SliceView> slices = new ArrayList<>();
        double acc = 0;
        int reference = -1;
        for (int i = 0; i < d.length; i++) {
            acc += d[i];
            String file = (v == 1 ? NASTY_DIR : id.replaceAll("-[0-9a-f]{8}$", "")) + "/IM-" + (1000 + i) + ".dcm";
            Thumbnail t = thumbs.get(i);
            if (airEnd(v, i, d.length)) {
                slices.add(new SliceView(i, file, -1, "low-information", "low information (std 0.6 < 2.0)",
                        null, -1, Double.NaN, t));
            } else if (reference < 0 || acc > threshold) {
                slices.add(new SliceView(i, file, -1, "kept", "distinct", null, -1, Double.NaN, t));
                acc = 0;
                reference = i;
            } else {
                slices.add(new SliceView(i, file, -1, "dropped",
                        "near-duplicate of slice " + reference + " (distance " + (int) acc + ")",
                        null, reference, acc, t));
            }
        }
        return new VolumeView(id, "position along slice normal", slices);
    }

    /** Makes one kept slice of the last volume a duplicate of a kept slice in the first (global rule). */
    private static void crossVolumeReference(List<VolumeView> volumes) {
        VolumeView first = volumes.getFirst();
        VolumeView last = volumes.getLast();
        int ref = first.slices().stream().filter(s -> s.decision().equals("kept")).skip(2).findFirst()
                .orElseThrow().index();
        for (int i = 1; i < last.slices().size(); i++) {
            SliceView s = last.slices().get(i);
            if (s.decision().equals("kept")) {
                last.slices().set(i, new SliceView(i, s.file(), s.frame(), "dropped",
                        "near-duplicate of " + first.id() + " slice " + ref + " (distance 2)",
                        first.id(), ref, 2, s.thumbnail()));
                return;
            }
        }
    }

    /** A 48×48 CT-like slice: body ellipse, two lungs and a spine whose size follows the position. */
    private static Thumbnail thumbnail(Random r, int volume, int i, int n, boolean air) {
        int w = 48;
        int h = 48;
        byte[] g = new byte[w * h];
        double t = (double) i / Math.max(1, n - 1);
        double lung = volume == 1 ? 0 : Math.max(0, Math.sin(Math.PI * t)) * 0.8;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double nx = (x - 23.5) / 21;
                double ny = (y - 25) / (volume == 1 ? 19 : 15);
                double v = 8;
                if (!air && nx * nx + ny * ny < 1) {
                    v = 115;
                    double lx = (Math.abs(x - 23.5) - 9) / (7 * lung + 0.01);
                    double ly = (y - 22) / (10 * lung + 0.01);
                    if (lx * lx + ly * ly < 1) {
                        v = 30;
                    }
                    double sx = (x - 23.5) / 3.5;
                    double sy = (y - 34) / 3.5;
                    if (sx * sx + sy * sy < 1) {
                        v = 225;
                    }
                    if (volume == 1) {
                        double bx = (x - 23.5) / 15;
                        double by = (y - 25) / 13;
                        v = bx * bx + by * by < 1 ? 95 + 20 * Math.cos(6 * t + x / 6.0) : 220;
                    }
                }
                g[y * w + x] = (byte) Math.max(0, Math.min(255, v + r.nextGaussian() * 6));
            }
        }
        return new Thumbnail(w, h, g);
    }
}
