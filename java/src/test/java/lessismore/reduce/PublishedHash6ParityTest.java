package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import lessismore.TestData;
import lessismore.signature.DHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity with the published Hash-6 method on the real CT series of ../shared/data/ct: the golden
 * file (scripts/golden/make_dhash_golden.py: pydicom + PIL + numpy, imagehash 4.3's dhash
 * definition) holds the reference hash of every slice pydicom decodes and the reference kept set
 * per series in file-name order.
 */
class PublishedHash6ParityTest {
    record Golden(String seriesKey, String status, String hash, String kept, String reason) {
    }

    static Map<String, Golden> golden() throws IOException {
        Map<String, Golden> rows = new LinkedHashMap<>();
        try (InputStream s = PublishedHash6ParityTest.class.getResourceAsStream("/golden/dhash-shared-ct.csv")) {
            String[] lines = new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                // Values hold no commas except possibly the last column (reason).
                String[] f = lines[i].split(",", 6);
                rows.put(f[0], new Golden(f[1], f[2], f[3], f[4], f.length > 5 ? f[5] : ""));
            }
        }
        return rows;
    }

    private static Map<String, SliceRecord> reduce(Path out, VolumeGrouper.Order order) throws Exception {
        Path ct = TestData.sharedData().resolve("ct");
        Reducer.Result r = new Reducer(new Reducer.Options(ct, out, TestStrategies.hash6(), order,
                Export.NONE, false, 2)).run();
        Map<String, SliceRecord> byPath = new HashMap<>();
        for (SliceRecord s : r.records()) {
            byPath.put(s.relativePath(), s);
        }
        return byPath;
    }

    @Test
    void hashesEqualTheReferenceBitForBit(@TempDir Path tmp) throws Exception {
        Map<String, SliceRecord> ours = reduce(tmp.resolve("out"), VolumeGrouper.Order.ANATOMICAL);
        int compared = 0;
        for (Map.Entry<String, Golden> e : golden().entrySet()) {
            SliceRecord s = ours.get(e.getKey());
            Golden g = e.getValue();
            if (!g.status().equals("ok")) {
                assertEquals(SliceRecord.Decision.SKIPPED, s.decision(), e.getKey() + " is not an image for pydicom");
                continue;
            }
            assertEquals(g.hash(), s.signatureText(), e.getKey());
            compared++;
        }
        assertEquals(271, compared, "every slice of the shared CT data, JPEG 2000 included, is compared");
    }

    @Test
    void filenameOrderKeepsExactlyTheReferenceSet(@TempDir Path tmp) throws Exception {
        Map<String, SliceRecord> ours = reduce(tmp.resolve("out"), VolumeGrouper.Order.FILENAME);
        int kept = 0;
        for (Map.Entry<String, Golden> e : golden().entrySet()) {
            Golden g = e.getValue();
            SliceRecord s = ours.get(e.getKey());
            if (!g.status().equals("ok")) {
                continue;
            }
            boolean refKept = g.kept().equals("1");
            assertEquals(refKept, s.decision() == SliceRecord.Decision.KEPT, e.getKey());
            kept += refKept ? 1 : 0;
        }
        assertTrue(kept > 0);
    }
}
