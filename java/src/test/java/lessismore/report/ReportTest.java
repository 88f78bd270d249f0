package lessismore.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lessismore.output.JsonReader;
import lessismore.report.ReportModel.Measure;
import lessismore.report.ReportModel.SliceView;
import lessismore.report.ReportModel.VolumeView;

class ReportTest {
    private static final Pattern IMG_SRC = Pattern.compile("<img[^>]*? src=\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void jsonHasTheModelsNumbers() throws IOException {
        ReportModel m = ReportFixture.realistic(1);
        Report.write(m, dir);
        Map<String, Object> j = JsonReader.object(Files.readString(dir.resolve(Report.JSON)));

        int slices = 0;
        int kept = 0;
        int dropped = 0;
        int low = 0;
        List<?> volumes = (List<?>) j.get("volumes");
        assertEquals(3, volumes.size());
        for (int v = 0; v < 3; v++) {
            VolumeView mv = m.volumes().get(v);
            Map<?, ?> jv = (Map<?, ?>) volumes.get(v);
            assertEquals(mv.id(), jv.get("id"));
            int k = count(mv, "kept");
            int d = count(mv, "dropped");
            int l = count(mv, "low-information");
            assertEquals(mv.slices().size(), num(jv, "slices"));
            assertEquals(k, num(jv, "kept"));
            assertEquals(d, num(jv, "dropped"));
            assertEquals(l, num(jv, "low_information"));
            slices += mv.slices().size();
            kept += k;
            dropped += d;
            low += l;
        }
        assertTrue(dropped > 0 && kept > 0 && low > 0, "fixture mixes decisions");
        Map<?, ?> totals = (Map<?, ?>) j.get("totals");
        assertEquals(slices, num(totals, "slices"));
        assertEquals(kept, num(totals, "kept"));
        assertEquals(dropped, num(totals, "dropped"));
        assertEquals(low, num(totals, "low_information"));
        assertEquals(2, num(totals, "skipped"));
        assertEquals((double) kept / slices, num(totals, "kept_fraction"), 1e-12);
        assertEquals("2x2 mean before signing", ((Map<?, ?>) j.get("parameters")).get("downsample"));

        Measure me = m.measure();
        Map<?, ?> jm = (Map<?, ?>) j.get("measure");
        assertEquals("dhash-8", jm.get("name"));
        assertEquals("distance", jm.get("direction"));
        assertEquals(me.threshold(), num(jm, "threshold"));
        assertEquals("<= " + Text.num(me.threshold()), jm.get("redundant_when"));
        assertEquals(ReportFixture.KEEP_TARGET, num(jm, "keep_fraction_target"));
        assertEquals(me.keptFraction(), num(jm, "kept_fraction"), 1e-12);
        assertEquals((double) kept / slices, me.keptFraction(), 1e-12, "fixture is consistent");
        List<?> search = (List<?>) jm.get("threshold_search");
        assertEquals(me.thresholdSearch().size(), search.size());
        for (int i = 0; i < search.size(); i++) {
            assertEquals(me.thresholdSearch().get(i)[0], num((Map<?, ?>) search.get(i), "threshold"));
            assertEquals(me.thresholdSearch().get(i)[1], num((Map<?, ?>) search.get(i), "kept_fraction"), 1e-12);
        }

        // One bin per integer distance; together they hold every neighbour score.
        Map<?, ?> hist = (Map<?, ?>) jm.get("histogram");
        assertEquals(slices - 3, num(hist, "scores"));
        int binned = 0;
        for (Object o : (List<?>) hist.get("bins")) {
            Map<?, ?> b = (Map<?, ?>) o;
            double centre = (num(b, "from") + num(b, "to")) / 2;
            assertEquals(1, num(b, "to") - num(b, "from"), 1e-9);
            assertEquals(centre <= me.threshold(), b.get("redundant"));
            int expected = 0;
            for (double s : me.neighbourScores()) {
                expected += s == centre ? 1 : 0;
            }
            assertEquals(expected, num(b, "count"), "bin " + centre);
            binned += expected;
        }
        assertEquals(me.neighbourScores().length, binned);

        List<?> sample = (List<?>) j.get("sample");
        assertEquals(DropSample.MAX_PAIRS, sample.size());
        Set<Object> sampledVolumes = new HashSet<>();
        boolean cross = false;
        for (Object o : sample) {
            Map<?, ?> p = (Map<?, ?>) o;
            VolumeView v = m.volumes().stream().filter(x -> x.id().equals(p.get("volume"))).findFirst().orElseThrow();
            SliceView s = v.slices().get((int) num(p, "index"));
            assertEquals("dropped", s.decision());
            assertEquals(s.file(), p.get("file"));
            assertEquals(s.score(), num(p, "score"));
            assertEquals(s.referenceIndex(), num(p, "reference_index"));
            sampledVolumes.add(p.get("volume"));
            cross |= !p.get("volume").equals(p.get("reference_volume"));
        }
        assertEquals(3, sampledVolumes.size(), "the sample spans all volumes");
        assertTrue(cross, "the cross-volume pair is in the sample");
        assertFalse(Files.readString(dir.resolve(Report.JSON)).contains("base64"), "no thumbnails in JSON");
    }

    @Test
    void htmlIsSelfContainedWithOneThumbnailPerSlice() throws IOException {
        ReportModel m = ReportFixture.realistic(2);
        Report.write(m, dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        assertSelfContained(html);
        int slices = m.volumes().stream().mapToInt(v -> v.slices().size()).sum();
        List<String> sources = sources(html);
        // Each slice in its strip, plus the dropped slice and its reference for each sampled pair.
        assertEquals(slices + 2 * DropSample.MAX_PAIRS, sources.size());
        // The pairs come first on the page, then the strips: the first strip image is slice 0.
        String slice0 = sources.get(2 * DropSample.MAX_PAIRS);
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(slice0.substring("data:image/png;base64,".length()))));
        assertEquals(48, first.getWidth());
        assertEquals(48, first.getHeight());
        byte[] expected = m.volumes().getFirst().slices().getFirst().thumbnail().gray();
        byte[] actual = new byte[48 * 48];
        first.getRaster().getDataElements(0, 0, 48, 48, actual);
        assertArrayEquals(expected, actual, "the PNG holds the thumbnail's pixels");
        assertTrue(html.contains("<svg class=\"chart\""), "histogram");
        assertTrue(html.contains("kept fraction per threshold tried"), "threshold search plot");
        assertTrue(html.contains("2x2 mean before signing"), "down-sampling parameter");
    }

    @Test
    void allTextIsEscaped() throws IOException {
        ReportModel m = ReportFixture.realistic(3);
        Report.write(m, dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        for (String raw : List.of(ReportFixture.NASTY_DIR, "head&neck-\"tilt\"", "abdomen-<pv>", "<study> & \"set\"")) {
            assertFalse(html.contains(raw), raw);
        }
        assertTrue(html.contains("scan &lt;b&gt;&amp;&quot;2&quot;/IM-1000.dcm"));
        assertTrue(html.contains("abdomen-&lt;pv&gt;-34c687fd"));
        assertFalse(html.contains("<b>"), "no markup from data");
        // JSON keeps the names as they are.
        Map<String, Object> j = JsonReader.object(Files.readString(dir.resolve(Report.JSON)));
        assertEquals("/data/ct <study> & \"set\"", j.get("input"));
    }

    @Test
    void sameModelSameBytes() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Report.write(ReportFixture.realistic(4), a);
        Report.write(ReportFixture.realistic(4), b);
        for (String f : List.of(Report.HTML, Report.JSON)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
    }

    @Test
    void strategiesWithoutMeasureHaveNoCharts() throws IOException {
        ReportModel m = ReportFixture.everyN(5);
        Report.write(m, dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        assertSelfContained(html);
        assertFalse(html.contains("<svg"), "no histogram without scores");
        assertFalse(html.contains("beside their kept reference"), "no pairs without references");
        Map<String, Object> j = JsonReader.object(Files.readString(dir.resolve(Report.JSON)));
        assertTrue(j.containsKey("measure"));
        assertNull(j.get("measure"));
        assertEquals(List.of(), j.get("sample"));
        assertEquals("every-n", ((Map<?, ?>) j.get("parameters")).get("strategy"));
    }

    @Test
    void missingThumbnailsAreCountedAndNoted() throws IOException {
        ReportModel m = ReportFixture.capped(ReportFixture.realistic(6), 150);
        Report.write(m, dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        int slices = m.volumes().stream().mapToInt(v -> v.slices().size()).sum();
        assertTrue(html.contains(m.thumbnailsOmitted() + " slices have no thumbnail"));
        // Slices without thumbnails still show their decision as a tile.
        int tiles = html.split("<i class=\"[kdl] n\" title=", -1).length - 1;
        assertEquals(m.thumbnailsOmitted(), tiles);
        assertEquals(slices - 150, m.thumbnailsOmitted());
        Map<?, ?> thumbs = (Map<?, ?>) JsonReader.object(Files.readString(dir.resolve(Report.JSON))).get("thumbnails");
        assertEquals(150, num(thumbs, "shown"));
        assertEquals(m.thumbnailsOmitted(), num(thumbs, "omitted"));
    }

    @Test
    void similarityRunsShowTheirDirection() throws IOException {
        ReportModel m = ReportFixture.similarity(8);
        Report.write(m, dir);
        String html = Files.readString(dir.resolve(Report.HTML));
        assertSelfContained(html);
        assertTrue(html.contains("ssim similarity, redundant when ≥ " + Text.num(m.measure().threshold())));
        Map<?, ?> jm = (Map<?, ?>) JsonReader.object(Files.readString(dir.resolve(Report.JSON))).get("measure");
        assertEquals("similarity", jm.get("direction"));
        List<?> bins = (List<?>) ((Map<?, ?>) jm.get("histogram")).get("bins");
        assertEquals(Histogram.CONTINUOUS_BINS, bins.size());
        // Borderline first: for a similarity, the least similar dropped slice leads the sample.
        List<?> sample = (List<?>) JsonReader.object(Files.readString(dir.resolve(Report.JSON))).get("sample");
        double previous = -1;
        for (Object o : sample) {
            double score = num((Map<?, ?>) o, "score");
            assertTrue(score >= previous, "ascending similarity");
            previous = score;
        }
    }

    @Test
    void similarityHistogramMarksHighScoresRedundant() {
        double[] scores = {0.2, 0.5, 0.91, 0.95, 0.97, 0.975, 1.0, Double.NaN};
        Histogram h = Histogram.of(scores, 0.95, true);
        assertFalse(h.integers());
        assertEquals(Histogram.CONTINUOUS_BINS, h.bins().size());
        assertEquals(1, h.nonFinite());
        assertEquals(7, h.bins().stream().mapToInt(Histogram.Bin::count).sum());
        assertEquals(0.95, h.thresholdX());
        for (Histogram.Bin b : h.bins()) {
            assertEquals((b.from() + b.to()) / 2 >= 0.95, b.redundant());
        }
        assertEquals(1, h.bins().getLast().count(), "the top score lands in the last bin");
    }

    @Test
    void integerHistogramDrawsTheLineAfterTheThresholdsBar() {
        Histogram h = Histogram.of(new double[] {0, 1, 1, 6, 7, 20}, 6, false);
        assertTrue(h.integers());
        assertEquals(21, h.bins().size());
        assertEquals(6.5, h.thresholdX());
        assertEquals(2, h.bins().get(1).count());
        assertTrue(h.bins().get(6).redundant());
        assertFalse(h.bins().get(7).redundant());
    }

    @Test
    void largeRunsAreFast() throws IOException {
        ReportModel m = ReportFixture.large(200, 100, 7);
        long t0 = System.nanoTime();
        Report.write(m, dir);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long bytes = Files.size(dir.resolve(Report.HTML));
        System.out.printf("report of 20,000 slices: %.2f s, %.1f MB HTML%n", seconds, bytes / 1e6);
        // Generous for a busy CI machine; a few seconds on an idle one.
        assertTrue(seconds < 30, seconds + " s");
        assertNotNull(JsonReader.object(Files.readString(dir.resolve(Report.JSON))).get("sample"));
    }

    /** No URL that would make the browser fetch something: only data: images and #anchors. */
    static void assertSelfContained(String html) {
        Matcher refs = Pattern.compile("(?i)\\b(src|href|xlink:href|action)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        while (refs.find()) {
            String url = refs.group(2);
            assertTrue(url.startsWith("data:image/png;base64,") || url.startsWith("#"), "reference to " + url);
        }
        for (String forbidden : List.of("http://", "https://", "<link", "@import", "url(", "<iframe", "<object")) {
            assertFalse(html.toLowerCase().contains(forbidden), forbidden);
        }
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    }

    private static List<String> sources(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = IMG_SRC.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static int count(VolumeView v, String decision) {
        return (int) v.slices().stream().filter(s -> s.decision().equals(decision)).count();
    }

    private static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
