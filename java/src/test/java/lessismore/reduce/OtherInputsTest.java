package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lessismore.TestData;
import lessismore.select.KeepAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reduce} on NIfTI volumes and on folders of images, with the same outputs as for DICOM. */
class OtherInputsTest {
    static Reducer.Result reduce(Path in, Path out, lessismore.select.SelectionStrategy s, Export export)
            throws Exception {
        return new Reducer(new Reducer.Options(in, out, s, VolumeGrouper.Order.ANATOMICAL, export, false, 2)).run();
    }

    @Test
    void niftiVolumesBecomeOrderedSlices(@TempDir Path tmp) throws Exception {
        Reducer.Result r = reduce(TestData.sharedData().resolve("nifti"), tmp.resolve("out"), TestStrategies.hash6(),
                Export.PNG);
        assertEquals(3, r.volumes().size());
        assertEquals(306, r.usableSlices());
        Map<String, Integer> sizes = new HashMap<>();
        for (Volume v : r.volumes()) {
            sizes.put(v.id().replaceFirst("-[0-9a-f]{8}$", ""), v.slices().size());
            assertEquals("position", v.orderBasis());
            for (int i = 1; i < v.slices().size(); i++) {
                assertTrue(v.slices().get(i).positionMm() > v.slices().get(i - 1).positionMm(), v.id());
            }
        }
        assertEquals(Map.of("aorta_ct_cropped", 164, "example_ct", 112, "example_ct_sm", 30), sizes);
        long pngs;
        try (var s = Files.walk(r.outputDir().resolve("images"))) {
            pngs = s.filter(p -> p.toString().endsWith(".png")).count();
        }
        assertEquals(r.records().stream().filter(x -> x.decision() == SliceRecord.Decision.KEPT).count(), pngs);
    }

    @Test
    void exportedPngsHashLikeTheirDicomSlices(@TempDir Path tmp) throws Exception {
        Path series = TestData.sharedData().resolve("ct/ge-head-tilt");
        Reducer.Result dicom = reduce(series, tmp.resolve("dicom"), new KeepAll(), Export.PNG);
        Reducer.Result png = reduce(dicom.outputDir().resolve("images"), tmp.resolve("png"), new KeepAll(), Export.NONE);
        assertEquals(1, png.volumes().size());
        List<SliceRecord> a = dicom.volumes().getFirst().slices();
        List<SliceRecord> b = png.volumes().getFirst().slices();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            // Slice i's PNG is NNNN.png, so natural file-name order is anatomical order.
            assertEquals(String.format("%04d.png", i), b.get(i).file().path().getFileName().toString());
            assertEquals(a.get(i).signatureText(), b.get(i).signatureText(), "slice " + i);
        }
        // With the published selection both give the same kept slices.
        Reducer.Result d6 = reduce(series, tmp.resolve("d6"), TestStrategies.hash6(), Export.NONE);
        Reducer.Result p6 = reduce(dicom.outputDir().resolve("images"), tmp.resolve("p6"), TestStrategies.hash6(),
                Export.NONE);
        List<Integer> keptD = d6.volumes().getFirst().slices().stream()
                .filter(x -> x.decision() == SliceRecord.Decision.KEPT).map(SliceRecord::sliceIndex).toList();
        List<Integer> keptP = p6.volumes().getFirst().slices().stream()
                .filter(x -> x.decision() == SliceRecord.Decision.KEPT).map(SliceRecord::sliceIndex).toList();
        assertEquals(keptD, keptP);
    }

    @Test
    void publishedNamingGroupsByPatientPrefix(@TempDir Path tmp) throws Exception {
        Path series = TestData.sharedData().resolve("ct/ge-head-tilt");
        Reducer.Result dicom = reduce(series, tmp.resolve("dicom"), new KeepAll(), Export.PNG);
        Path flat = Files.createDirectories(tmp.resolve("flat"));
        Path images = dicom.outputDir().resolve("images").resolve(dicom.volumes().getFirst().id());
        for (int i = 0; i < 12; i++) {
            String patient = i < 6 ? "LIDC-IDRI-0001" : "LIDC-IDRI-0002";
            Files.copy(images.resolve(String.format("%04d.png", i)), flat.resolve(patient + "_" + (i % 6 + 1) * 10 + ".png"));
        }
        Reducer.Result r = reduce(flat, tmp.resolve("out"), new KeepAll(), Export.NONE);
        assertEquals(2, r.volumes().size());
        for (Volume v : r.volumes()) {
            assertEquals(6, v.slices().size());
            assertTrue(v.slices().get(0).relativePath().endsWith("_10.png"), v.slices().get(0).relativePath());
            assertTrue(v.slices().get(5).relativePath().endsWith("_60.png"));
        }
    }
}
