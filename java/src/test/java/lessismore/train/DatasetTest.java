package lessismore.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a reduce output (PNG export or input files) and a plain folder. */
class DatasetTest {
    /** Writes an 8-bit grey 40 × 40 PNG whose pixels depend on {@code k}. */
    static void png(Path file, int k) throws Exception {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                img.getRaster().setSample(x, y, 0, (x * 5 + y * k * 3 + k * 17) % 256);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /** A folder of {@code n} PNGs, img0.png … */
    static Path pngFolder(Path tmp, int n) throws Exception {
        Path dir = tmp.resolve("pngs");
        for (int k = 0; k < n; k++) {
            png(dir.resolve("img" + k + ".png"), k);
        }
        return dir;
    }

    /** A reduce-like output: 3 input PNGs, 2 kept, manifest and summary; with or without the export. */
    private static Path reduceOutput(Path tmp, boolean export) throws Exception {
        Path in = tmp.resolve("in");
        for (int k = 0; k < 3; k++) {
            png(in.resolve("s" + k + ".png"), k);
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("manifest.csv"), String.join("\n",
                "path,frame,volume,slice_index,position_mm,instance_number,signature,decision,reference_volume,"
                        + "reference_slice,score,reason",
                "s0.png,,vol-a,0,,,0,kept,,,,",
                "s1.png,,vol-a,1,,,0,dropped,vol-a,0,2,\"near-duplicate, of slice 0\"",
                "s2.png,,vol-a,2,,,0,kept,,,,") + "\n");
        Files.writeString(out.resolve("summary.json"), "{\n  \"tool\": \"lessismore\",\n  \"input\": \""
                + in.toAbsolutePath() + "\",\n  \"output\": \"x\"\n}\n");
        if (export) {
            // The export holds other pixels than the inputs, to show which one was read.
            png(out.resolve("images/vol-a/0000.png"), 10);
            png(out.resolve("images/vol-a/0002.png"), 12);
        }
        return out;
    }

    @Test
    void reduceOutputGivesTheKeptSlicesFromTheExportElseFromTheInputs(@TempDir Path tmp) throws Exception {
        Dataset fromInputs = Dataset.load(reduceOutput(tmp.resolve("a"), false), 20, 2);
        Dataset fromPng = Dataset.load(reduceOutput(tmp.resolve("b"), true), 20, 2);
        Dataset direct = Dataset.load(pngFolder(tmp.resolve("c"), 13), 20, 1);
        assertEquals(List.of("s0.png", "s2.png"), List.of(fromInputs.name(0), fromInputs.name(1)));
        assertEquals(2, fromPng.size());
        assertEquals("input files", fromInputs.description().get("read_from"));
        assertEquals("exported PNG", fromPng.description().get("read_from"));
        // s2.png is img2.png's content; the export's 0002.png is img12.png's.
        assertArrayEquals(image(direct, "img2.png"), fromInputs.image(1));
        assertArrayEquals(image(direct, "img12.png"), fromPng.image(1));
        for (float v : fromPng.image(0)) {
            assertTrue(v >= 0 && v <= 1);
        }
    }

    private static float[] image(Dataset d, String name) {
        for (int i = 0; i < d.size(); i++) {
            if (d.name(i).equals(name)) {
                return d.image(i);
            }
        }
        throw new AssertionError(name + " not in the dataset");
    }

    @Test
    void folderSkipsFilesThatAreNotImages(@TempDir Path tmp) throws Exception {
        Path dir = pngFolder(tmp, 2);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Dataset d = Dataset.load(dir, 8, 2);
        assertEquals(2, d.size());
        assertEquals(1, d.description().get("unreadable"));
        assertEquals(64, d.image(0).length);
    }
}
