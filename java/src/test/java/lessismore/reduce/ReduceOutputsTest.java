package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import lessismore.TestData;
import lessismore.io.InputFile;
import lessismore.synth.PhantomGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports, planted duplicates and slice order on a synthetic study and on the tilted real series. */
class ReduceOutputsTest {
    @TempDir
    static Path tmp;
    static PhantomGenerator.Result study;

    @BeforeAll
    static void generate() throws Exception {
        study = PhantomGenerator.generate(tmp.resolve("study"), PhantomGenerator.Options.defaults().withSize(128));
    }

    static Reducer.Result reduce(Path out, Export export) throws Exception {
        return new Reducer(new Reducer.Options(study.root(), out, TestStrategies.hash6(),
                VolumeGrouper.Order.ANATOMICAL, export, false, 2)).run();
    }

    static List<SliceRecord> kept(Reducer.Result r) {
        return r.records().stream().filter(s -> s.decision() == SliceRecord.Decision.KEPT).toList();
    }

    @Test
    void plantedExactDuplicatesAreDroppedAgainstTheirOriginal() throws Exception {
        Reducer.Result r = reduce(tmp.resolve("dup"), Export.NONE);
        Map<Path, SliceRecord> byPath = new java.util.HashMap<>();
        r.records().forEach(s -> byPath.put(s.file().path(), s));
        int checked = 0;
        for (PhantomGenerator.SeriesResult s : study.series()) {
            for (PhantomGenerator.Duplicate d : s.exactDuplicates()) {
                SliceRecord dup = byPath.get(d.file().toAbsolutePath());
                SliceRecord orig = byPath.get(d.original().toAbsolutePath());
                assertEquals(orig.signatureText(), dup.signatureText());
                assertTrue(dup.decision() == SliceRecord.Decision.DROPPED
                        || orig.decision() == SliceRecord.Decision.DROPPED, d.file().toString());
                checked++;
            }
        }
        assertTrue(checked > 0);
        // The shuffled-name series is still in anatomical order: positions strictly monotonic.
        for (Volume v : r.volumes()) {
            for (int i = 1; i < v.slices().size(); i++) {
                assertTrue(v.slices().get(i).positionMm() >= v.slices().get(i - 1).positionMm(), v.id());
            }
        }
        assertEquals("not-dicom", ((Map<?, ?>) r.summary().get("skipped_by_reason")).keySet().iterator().next());
    }

    @Test
    void pngExportHoldsTheKeptSlicesAsPreprocessed() throws Exception {
        Reducer.Result r = reduce(tmp.resolve("png"), Export.PNG);
        List<SliceRecord> kept = kept(r);
        try (Stream<Path> s = Files.walk(r.outputDir().resolve("images"))) {
            assertEquals(kept.size(), s.filter(p -> p.toString().endsWith(".png")).count());
        }
        SliceDecoder decoder = new SliceDecoder();
        for (SliceRecord k : kept.subList(0, 3)) {
            Path png = r.outputDir().resolve("images").resolve(k.volumeId()).resolve(String.format("%04d.png", k.sliceIndex()));
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
            decoder.decodeSlice(k.file(), 0);
            decoder.to8Bit();
            int n = img.getWidth() * img.getHeight();
            byte[] got = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            assertArrayEquals(java.util.Arrays.copyOf(decoder.gray(), n), got);
            // The exported image hashes to the manifest's signature.
            assertEquals(k.signatureText(), lessismore.signature.DHash.toHex(
                    lessismore.signature.DHash.dhash64(got, img.getWidth(), img.getHeight())));
        }
    }

    @Test
    void linkAndCopyExportsPointToOrEqualTheInputs() throws Exception {
        Map<String, String> before = TestData.checksums(study.root());
        Reducer.Result links = reduce(tmp.resolve("links"), Export.LINK);
        Reducer.Result copies = reduce(tmp.resolve("copies"), Export.COPY);
        for (SliceRecord k : kept(links)) {
            InputFile f = k.file();
            String name = String.format("%04d-%s", k.sliceIndex(), f.path().getFileName());
            Path link = links.outputDir().resolve("images").resolve(k.volumeId()).resolve(name);
            assertTrue(Files.isSymbolicLink(link));
            assertEquals(f.path().toAbsolutePath(), Files.readSymbolicLink(link));
            Path copy = copies.outputDir().resolve("images").resolve(k.volumeId()).resolve(name);
            assertArrayEquals(Files.readAllBytes(f.path()), Files.readAllBytes(copy));
        }
        assertEquals(before, TestData.checksums(study.root()));
    }

    @Test
    void tiltedHeadSeriesIsOrderedAlongTheSliceNormal() throws Exception {
        Path ge = TestData.sharedData().resolve("ct/ge-head-tilt");
        Reducer.Result r = new Reducer(new Reducer.Options(ge, tmp.resolve("ge"), new lessismore.select.KeepAll(),
                VolumeGrouper.Order.ANATOMICAL, Export.NONE, false, 2)).run();
        Volume v = r.volumes().getFirst();
        assertEquals("position", v.orderBasis());
        assertEquals(28, v.slices().size());
        double minGap = Double.MAX_VALUE;
        double maxGap = 0;
        for (int i = 1; i < 28; i++) {
            double gap = v.slices().get(i).positionMm() - v.slices().get(i - 1).positionMm();
            assertTrue(gap > 0, "strictly increasing at " + i);
            minGap = Math.min(minGap, gap);
            maxGap = Math.max(maxGap, gap);
        }
        // The series has uneven spacing (about 1.1 to 7 mm per the data's README).
        assertTrue(minGap < 1.5 && maxGap > 6.5, minGap + " .. " + maxGap);
    }
}
