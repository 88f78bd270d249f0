package lessismore.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import lessismore.cli.Main;
import lessismore.synth.DicomWriter;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HU window and clip presets, padding handling, and the resized PNG export. */
class PreprocessingTest {
    static int map(Preprocessing p, short... hu) {
        int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
        int min = p.lut(hu, hu.length, lut);
        return lut[hu[0] - min];
    }

    @Test
    void lungWindowMapsItsEdgesAndCenter() {
        Preprocessing lung = Preprocessing.window("lung");
        short[] range = {-2000, 3000};
        assertEquals(0, map(lung, (short) -1350, range[0], range[1]));
        assertEquals(0, map(lung, (short) -1500, range[0], range[1]));
        assertEquals(255, map(lung, (short) 150, range[0], range[1]));
        // (-600 + 1350) / 1500 * 255 = 127.5: rounded half to even.
        assertEquals(128, map(lung, (short) -600, range[0], range[1]));
        assertEquals(0, map(lung, Preprocessing.PADDING, (short) 0));
        assertEquals("window custom (C=40 W=400 HU)", Preprocessing.window("40,400").describe());
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.window("tissue"));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.window("40,-1"));
    }

    @Test
    void clipLeavesPaddingOutOfTheStatistics() {
        Preprocessing clip = new Preprocessing.ClippedMinMax(-1000, 1000);
        short[] px = {Preprocessing.PADDING, -1000, 0, 1000, 3000};
        int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
        int min = clip.lut(px, px.length, lut);
        assertEquals(0, lut[px[0] - min]);
        assertEquals(0, lut[px[1] - min]);
        assertEquals(128, lut[px[2] - min]);
        assertEquals(255, lut[px[3] - min]);
        assertEquals(255, lut[px[4] - min]);
    }

    @Test
    void monochrome1IsInvertedSoThatItHashesLikeMonochrome2(@TempDir Path tmp) throws Exception {
        short[] px = new short[32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) ((i * 13 + (i / 32) * 7) % 4000);
        }
        short[] inverted = new short[px.length];
        for (int i = 0; i < px.length; i++) {
            inverted[i] = (short) (3999 - px[i]);
        }
        long[] hashes = new long[2];
        int k = 0;
        for (String photometric : new String[] {"MONOCHROME2", "MONOCHROME1"}) {
            Path f = tmp.resolve(photometric + ".dcm");
            DicomWriter.builder()
                    .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                    .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.6." + k)
                    .addString(Tags.PHOTOMETRIC_INTERPRETATION, VR.CS, photometric)
                    .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, 32).addUS(Tags.COLUMNS, 32)
                    .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11)
                    .addUS(Tags.PIXEL_REPRESENTATION, 0).addDS(0x0028_1052, 0).addDS(0x0028_1053, 1)
                    .addPixelData(k == 0 ? px : inverted)
                    .write(f, Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
            lessismore.reduce.SliceDecoder d = new lessismore.reduce.SliceDecoder();
            d.decodeSlice(new lessismore.io.InputFile(f, f.getFileName().toString(), Files.size(f), null), 0);
            hashes[k++] = d.dhash64();
        }
        assertEquals(hashes[0], hashes[1]);
    }

    @Test
    void windowedResizedExportFromTheCli(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        short[] px = new short[32 * 32];
        for (int i = 0; i < px.length; i++) {
            // Stored values: padding (0) in the first row, then a ramp over 0..2047 (HU -1024..1023).
            px[i] = (short) (i < 32 ? 0 : 1 + (i * 7) % 2047);
        }
        for (int k = 0; k < 3; k++) {
            DicomWriter.builder()
                    .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                    .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.5." + k)
                    .addString(Tags.SERIES_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.5")
                    .addIS(Tags.INSTANCE_NUMBER, k + 1)
                    .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, 32).addUS(Tags.COLUMNS, 32)
                    .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11)
                    .addUS(Tags.PIXEL_REPRESENTATION, 0).addUS(0x0028_0120, 0)
                    .addDS(0x0028_1052, -1024).addDS(0x0028_1053, 1)
                    .addPixelData(px)
                    .write(in.resolve("IM" + k + ".dcm"), Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        }
        Path out = tmp.resolve("out");
        int code = Main.run(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(System.err, true),
                "reduce", in.toString(), "--out", out.toString(), "--strategy", "all", "--window", "-600,1500",
                "--export", "png", "--size", "16", "--quiet");
        assertEquals(0, code);
        Path png;
        try (var s = Files.walk(out.resolve("images"))) {
            png = s.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
        }
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(16, img.getWidth());
        assertEquals(16, img.getHeight());
        String summary = Files.readString(out.resolve("summary.json"));
        assertEquals(true, summary.contains("\"preprocessing\": \"window custom (C=-600 W=1500 HU)\""), summary);
    }
}
