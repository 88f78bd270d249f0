package lessismore.io.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImageSliceReader against PIL 9.4 (scripts/golden/make_image_golden.py): colour to grey exactly
 * like {@code convert("L")}, stored samples for grey, and (observed) the same JPEG samples.
 */
class ImageSliceReaderTest {
    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageSliceReaderTest.class.getResourceAsStream("/fixtures/images/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return in.readAllBytes();
        }
    }

    private static Path fixture(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, resource(name));
        return p;
    }

    @Test
    void matchesPil(@TempDir Path tmp) throws Exception {
        String[] lines = new String(resource("images.csv"), StandardCharsets.UTF_8).split("\n");
        int exact = 0;
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            String name = f[0];
            int bits = Integer.parseInt(f[1]);
            boolean signed = Boolean.parseBoolean(f[2]);
            boolean colour = Boolean.parseBoolean(f[3]);
            int w = Integer.parseInt(f[4]);
            int h = Integer.parseInt(f[5]);
            int tol = Integer.parseInt(f[6]);
            ImageSlice s = ImageSliceReader.read(fixture(tmp, name));
            assertEquals(w, s.width(), name);
            assertEquals(h, s.height(), name);
            assertEquals(bits, s.bitDepth(), name);
            assertEquals(signed, s.signed(), name);
            assertEquals(colour, s.colour(), name);
            ByteBuffer want = ByteBuffer.wrap(resource(name + ".expected.raw")).order(ByteOrder.LITTLE_ENDIAN);
            int worst = 0;
            for (int p = 0; p < w * h; p++) {
                int e = bits <= 8 ? want.get() & 0xFF : signed ? want.getShort() : want.getShort() & 0xFFFF;
                worst = Math.max(worst, Math.abs(e - s.pixels()[p]));
            }
            assertTrue(worst <= tol, name + ": largest difference " + worst + " > " + tol);
            if (tol == 0) {
                exact++;
            }
        }
        assertTrue(exact >= 15, "exact fixtures: " + exact);
    }

    @Test
    void lumaIsPilFormula() {
        assertEquals(0, ImageSliceReader.luma(0, 0, 0));
        assertEquals(255, ImageSliceReader.luma(255, 255, 255));
        assertEquals(76, ImageSliceReader.luma(255, 0, 0)); // 0.299 * 255 = 76.2
        assertEquals(150, ImageSliceReader.luma(0, 255, 0)); // 0.587 * 255 = 149.7
        assertEquals(29, ImageSliceReader.luma(0, 0, 255)); // 0.114 * 255 = 29.07
        assertEquals(65535, ImageSliceReader.luma(65535, 65535, 65535));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, ImageSliceReader.luma(v, v, v));
        }
    }

    /** 1-, 2- and 4-bit grey PNGs come out as 0..255, as PIL's L does. */
    @Test
    void lowBitGreyPngIsExpanded(@TempDir Path tmp) throws Exception {
        for (int bits : new int[] {1, 2, 4}) {
            int levels = 1 << bits;
            BufferedImage img = new BufferedImage(levels, 1, BufferedImage.TYPE_BYTE_GRAY);
            for (int x = 0; x < levels; x++) {
                img.getRaster().setSample(x, 0, 0, x * 255 / (levels - 1));
            }
            // Re-encode at the low bit depth through an indexed grey ramp.
            byte[] ramp = new byte[levels];
            for (int x = 0; x < levels; x++) {
                ramp[x] = (byte) (x * 255 / (levels - 1));
            }
            java.awt.image.IndexColorModel icm = new java.awt.image.IndexColorModel(bits, levels, ramp, ramp, ramp);
            BufferedImage low = new BufferedImage(levels, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
            for (int x = 0; x < levels; x++) {
                low.getRaster().setSample(x, 0, 0, x);
            }
            Path p = tmp.resolve("low" + bits + ".png");
            assertTrue(ImageIO.write(low, "png", p.toFile()));
            ImageSlice s = ImageSliceReader.read(p);
            assertEquals(8, s.bitDepth());
            for (int x = 0; x < levels; x++) {
                assertEquals(x * 255 / (levels - 1), s.pixels()[x], bits + "-bit level " + x);
            }
        }
    }

    @Test
    void nonImagesAndDamageAreSkipped(@TempDir Path tmp) throws Exception {
        SkippedFileException e = assertThrows(SkippedFileException.class,
                () -> ImageSliceReader.read(fixture(tmp, "notimage.png")));
        assertEquals(SkipReason.NOT_IMAGE, e.reason());
        e = assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(fixture(tmp, "truncated.png")));
        assertEquals(SkipReason.CORRUPT, e.reason(), e.getMessage());
        Path empty = Files.write(tmp.resolve("empty.tif"), new byte[0]);
        assertEquals(SkipReason.NOT_IMAGE, assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(empty)).reason());
        assertEquals(SkipReason.UNREADABLE,
                assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(tmp.resolve("missing.png"))).reason());
        assertEquals(SkipReason.UNREADABLE, assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(tmp)).reason());
        Path big = fixture(tmp, "rgb_random.png");
        e = assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(big, 100));
        assertEquals(SkipReason.UNSUPPORTED, e.reason());
        // Multi-page TIFF.
        Path multi = tmp.resolve("multi.tif");
        var writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (var out = ImageIO.createImageOutputStream(multi.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < 2; i++) {
                writer.writeToSequence(new javax.imageio.IIOImage(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), null, null), null);
            }
            writer.endWriteSequence();
        }
        writer.dispose();
        e = assertThrows(SkippedFileException.class, () -> ImageSliceReader.read(multi));
        assertEquals(SkipReason.UNSUPPORTED, e.reason(), e.getMessage());
    }

    /** Random damage to real fixtures: a slice or a SkippedFileException, nothing else. */
    @Test
    void randomCorruptionOnlyEverSkips(@TempDir Path tmp) throws Exception {
        List<byte[]> sources = new ArrayList<>();
        for (String n : new String[] {"rgb_random.png", "palette.png", "grey16.png", "grey8_lzw.tif", "rgb_deflate.tif",
            "signed16.tif", "rgb.jpg", "grey.jpg", "rgb16.png"}) {
            sources.add(resource(n));
        }
        Random rnd = new Random(7);
        int ok = 0;
        int skipped = 0;
        for (int iter = 0; iter < 600; iter++) {
            byte[] data = sources.get(rnd.nextInt(sources.size())).clone();
            if (rnd.nextBoolean()) {
                data = java.util.Arrays.copyOf(data, rnd.nextInt(data.length));
            } else {
                for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
                    int at = rnd.nextInt(Math.min(data.length, rnd.nextBoolean() ? 200 : data.length));
                    data[at] = (byte) rnd.nextInt(256);
                }
            }
            Path p = Files.write(tmp.resolve("fuzz.bin"), data);
            try {
                ImageSliceReader.read(p, 1 << 20);
                ok++;
            } catch (SkippedFileException ex) {
                assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
                skipped++;
            } catch (Throwable t) {
                fail("iteration " + iter + ": " + t, t);
            }
        }
        assertTrue(ok > 20 && skipped > 20, ok + " decoded, " + skipped + " skipped");
    }
}
