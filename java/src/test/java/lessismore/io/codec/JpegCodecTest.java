package lessismore.io.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link JpegCodec} against the fixtures of {@code scripts/fixtures/make_jpeg_fixtures.sh}: crops
 * of the real CT series encoded by dcmtk (and by that script's small encoder for what dcmcjpeg
 * cannot make: restart intervals, Huffman codes over 9 bits, 4:2:0, separate scans per component,
 * lossless precisions 2, 6 and 12), with dcmtk's dcmdjpeg as the oracle for every fixture.
 *
 * <p>Measured agreement with dcmdjpeg: lossless fixtures are bit-exact; lossy fixtures
 * (baseline, extended 8 and 12 bits, the islow IDCT) are bit-exact too (max abs difference 0) for
 * every component, subsampled chroma included: the codec interpolates 4:2:2 and 4:2:0 chroma with
 * libjpeg's "fancy" upsampling, as dcmtk does.
 *
 * <p>Timing: {@link #main} (see there). Measured on the shared 2-core development container
 * (Temurin 25, best batch): 512×512 lossless SV1 slices, chest 12-bit 1.74–1.82 ms (≈ 290–300 MB/s
 * of decoded 16-bit samples), GE head 16-bit signed 1.9–2.0 ms (≈ 265–275 MB/s); the chest slice
 * as 12-bit extended sequential DCT 3.2 ms (≈ 165 MB/s); full 512×512 decodes were also bit-exact
 * against the source (lossless) and dcmdjpeg (12-bit DCT).
 */
class JpegCodecTest {
    private static final JpegCodec CODEC = new JpegCodec();

    /** One fixture: the stream, its description, the expected samples. */
    record Fixture(String name, Properties p, byte[] stream, short[] expected) {
        FrameInfo info() {
            return new FrameInfo(i("rows"), i("columns"), i("samples"), i("bitsAllocated"), i("bitsStored"),
                    Boolean.parseBoolean(p.getProperty("signed")));
        }

        int i(String key) {
            return Integer.parseInt(p.getProperty(key).trim());
        }

        boolean lossless() {
            return "source".equals(p.getProperty("oracle"));
        }

        short[] decode() throws CodecException {
            short[] out = new short[info().sampleCount()];
            CODEC.decode(stream, 0, stream.length, info(), out);
            return out;
        }
    }

    static Path fixtureDir() {
        try {
            return Paths.get(JpegCodecTest.class.getResource("/fixtures/jpeg").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Fixture> fixtures(Path dir) throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path props : s.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                byte[] stream = Files.readAllBytes(dir.resolve(p.getProperty("stream")));
                byte[] raw = Files.readAllBytes(dir.resolve(p.getProperty("expected")));
                short[] expected = new short[raw.length / 2];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(expected);
                String name = props.getFileName().toString().replace(".properties", "");
                out.add(new Fixture(name, p, stream, expected));
            }
        }
        return out;
    }

    static Fixture fixture(String name) throws IOException {
        return fixtures(fixtureDir()).stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyProcessAndDepthIsCovered() throws IOException {
        List<Fixture> all = fixtures(fixtureDir());
        assertTrue(all.size() >= 25, "fixtures missing: run scripts/fixtures/make_jpeg_fixtures.sh");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Fixture f : all) {
            seen.add(f.p().getProperty("sof") + "/P" + f.p().getProperty("precision"));
            if ("C3".equals(f.p().getProperty("sof"))) {
                seen.add("predictor" + f.p().getProperty("predictor"));
            }
        }
        for (String want : List.of("C0/P8", "C1/P8", "C1/P12", "C3/P2", "C3/P6", "C3/P8", "C3/P12", "C3/P16",
                "predictor1", "predictor2", "predictor3", "predictor4", "predictor5", "predictor6", "predictor7")) {
            assertTrue(seen.contains(want), want + " not covered by the fixtures: " + seen);
        }
    }

    @TestFactory
    Stream<DynamicTest> decodesEveryFixtureLikeDcmtk() throws IOException {
        return fixtures(fixtureDir()).stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
    }

    private static void check(Fixture f) throws CodecException {
        short[] got = f.decode();
        assertEquals(f.expected().length, got.length, "sample count");
        if (f.lossless()) {
            assertArrayEquals(f.expected(), got, f.name() + ": lossless decode differs from the source");
            return;
        }
        int spp = f.i("samples");
        for (int c = 0; c < spp; c++) {
            int d = maxAbsDiff(f.expected(), got, spp, c);
            System.out.printf(Locale.ROOT, "%s component %d: max abs diff to dcmdjpeg %d%n", f.name(), c, d);
            assertEquals(0, d, f.name() + " component " + c + ": max abs difference to dcmdjpeg");
        }
    }

    static int maxAbsDiff(short[] a, short[] b, int spp, int c) {
        int max = 0;
        for (int i = c; i < a.length; i += spp) {
            max = Math.max(max, Math.abs((a[i] & 0xFFFF) - (b[i] & 0xFFFF)));
        }
        return max;
    }

    // ---------------------------------------------------------------------------------------------
    // Subsampled chroma against Pillow (libjpeg-turbo, what pydicom uses), including 4:4:0 (h1v2),
    // which IJG libjpeg (dcmtk) replicates, odd sizes and chroma too narrow to interpolate.

    /** A colour stream made by Pillow and the SHA-256 of Pillow's own decode (YCbCr, no conversion). */
    record Subsampled(String name, int columns, int rows, String sha256, String base64) {
    }

    /**
     * Made by Pillow 9.4 (Debian, libjpeg-turbo 2.1.5) from small noisy colour gradients,
     * {@code im.save(buf, "JPEG", quality=92, subsampling=1 or 2)}; the 4:4:0 stream is a 32x16 4:2:2
     * one whose frame header says 13x27 with luma sampling 1x2 instead of 2x1 (the same sequence of
     * blocks, read as 4:4:0). Expected: {@code im.draft("YCbCr", im.size); sha256(im.tobytes())}.
     */
    static final List<Subsampled> PILLOW = List.of(
            new Subsampled("h2v1 23x11", 23, 11, "aa38a16bceb85c2f503e857cbe61760750c5be39d451eca2b16b106be7586fac",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAALABcDASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD5t8L/AACS6L3V8HtbKz/eI6xM3meYxkhe" +
                    "FA2YljMg6l8gAEfJmvQvDX7P1jfwxfZR9ovbeVPNa2st5knLgCUw78lAxVeSsQLYA2sGHwlPjGUX7Sm4wS1unF3vaVmrJ9Um" +
                    "9I3X2W7LHgjj6cKns4WtaTk+bXmabV/i1Sa2jdLmve8ket+H/wBn6+0y0OoXOnNfz2sa3ay7Y5WuklwqOirlvL+eQnJBztJ/" +
                    "ugroocQ5TjFKWIxCg07JOVNaWTVlOLdlfl0926dup/YGT8cYfE4ONTEVuWT10ulrqmtHpZrt5JKyPS9P0uxltE1F4f8ASV1G" +
                    "JvMV2UkuqxsTg85T5eeg6YrrtF0XTre9vrmGKRZGhWMnznI2+dJFjGcf6sBfpn1NfhuWYip7KrC+iXKlpazcNP09LLoj/K3w" +
                    "/wARVjOhTUtHGP4xbeu9m9Wtj2C30yxuLOGwlg/0ZyUeJWKq4ChhuAIzyoOT/U0V9RPE1MPCKpPlvzXsktpzX5JL5H9DYTiT" +
                    "NcDRjTw9eSTUZPrduKbbbu3/AEloj//Z"),
            new Subsampled("h2v2 21x13", 21, 13, "2376e72fad91c5c56ba4f82ae6549e8918739678fbe381ff79ab686b6f13aa77",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAANABUDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD5b034IWWkXlt/adsWtJJILhBMAFdJEKK4" +
                    "8sYZmA3fKCOGwcgLXovhP4H32rW51PS5Zt1nbB1cXPmm3mwgjcDBLGTayFY84CqQ5OFP0Zo3g/w1c+J7OS50pPtDq8pliOCf" +
                    "3qHBDbhxv4IwR83OCAvvfhP4XeF7FoLmG2zuSK3j80ea8asqEgPJuOCGZT0OCuCu1SPx6HGtapTjWV01o+quk9LXv31Vtr77" +
                    "/JeGXixjYzW9/lZcrUP71/e62vzO9uU+TI/gk811c3bRXKiWWQRR2li0n7lZHCOWZHUhuSuzaCBnHOSV9sDwT4X0mWay/suJ" +
                    "okkZYo0iiCRKPl2qHRiOmeuBnAAAor1sHxdUdCPIlJd3G736vq1tfqf1dgvEjNsVh4VoPRrra/5H/9k="),
            new Subsampled("h2v2 5x9 (chroma 3 wide)", 5, 9, "49f4406e4e89a2f121adb6d6e458b1501ceb90066cb1397cf48c2ea6ecf86c43",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAAJAAUDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCH4SfshXcfhK3X+xrEXB3NOjQ3cpjJkc7R" +
                    "5BYhcklS38LKATtJor7e+Bn/ACT2x/z2FFfhVXiDNXUk1Uju/sJ/m2z6ngzxaz7BZBhcOqs/dgtqkor7l/XU/9k="),
            new Subsampled("h2v2 4x5 (chroma 2 wide: replicated)", 4, 5, "8dc77c77cfd0af3d60c1d2223703ae3a2c22479dfe8199e0cf9994dfbdc5869d",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAAFAAQDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD1Pwb+yV8ND4X02Sa0SWV7dTK584Bm6ZAW" +
                    "UAZwDj1zjAwAUUV/OOLz/MoVpKNZ/wDD6n2nAHiBxP8A6r5fbGz/AIUOvkj/2Q=="),
            new Subsampled("h2v1 3x6 (chroma 2 wide: replicated)", 3, 6, "0245f1a75f3d789a7db44373e714b6b13a77c1fecb61861970b762aaabca7813",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAAGAAMDASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0fwP+xD4BvfCGkXUNxeoklohwuozoM45O" +
                    "3nHOT1P1or+eJcc42DcY1Z2Xn/k7H7vwt4t5s8iwTlNp+xp9E/sR63V/Wy9Fsf/Z"),
            new Subsampled("h1v2 13x27", 13, 27, "12ba95e3135bd5b94eda25e470ac1dc81e9fbc0f12bdc8140ee76be94da9220b",
                    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN" +
                    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ" +
                    "EBAQEBAQEBAQEBAQEBD/wAARCAAbAA0DARIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA" +
                    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6" +
                    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG" +
                    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA" +
                    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5" +
                    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE" +
                    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD4v074X3TW1jcXGy1imVjAsli0jTMEjZWX" +
                    "Y6k5woCjPzuUHHyDuvDfwi1K4httQt7G4uU2zW8LywuzXXGUPktndtMvyliBhHL/ACvgeAs3XIoQT5ej+X2et1dqT5k1/Mkr" +
                    "vbhLiWm5Rcno7bPflUkvNWs9U1Zxado3PQIvhKZ3hvbPFuRObZ5kDuATI8U3VQuTj5Qi/NIrjc/G7q7D4YXyqNXvIEjtGnM9" +
                    "3JHIcy2wMPmKpUn92N/KAOxKMN/Oa87B5nGnzU8PJctuXWzTW9rq8fv1d27e7eP9OcIcRrl5W021pe6u2tbuzTad73ab912j" +
                    "ZG/pfwbsdVM8DwW9hbxOq3MNh8sRxJgBQFAkZipBBBUKmCcqd3p2g+AEEMkcsEjxy2eyJVVt4YQkyFDI2I4wWVSr9RGCMsCo" +
                    "/K6+bOdNRqvnSS3Ss7NO2t9bNtap9Lbcv+Z/CvE9RuNONvfa5pekmm5PWUW0tFFO/vavZdTp3wr+06hcW0oaCQz+el0GdjME" +
                    "IjiD7H5dY9wLYGXUjcuOe1034bPLbvc3XmNMwhWP+z1cTv5Y48xieCpTkJnGU5AVQeuWZKNp1FaUeWSdvdlrFtSVm+ZO7tdv" +
                    "R3skf05wbxTKNCOGTUZJLWTu5K1nzfC/d93aVm27OSuz/9k="));

    @TestFactory
    Stream<DynamicTest> subsampledChromaIsInterpolatedLikePillow() {
        return PILLOW.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            byte[] stream = java.util.Base64.getDecoder().decode(c.base64());
            short[] out = new short[c.rows() * c.columns() * 3];
            CODEC.decode(stream, 0, stream.length, new FrameInfo(c.rows(), c.columns(), 3, 8, 8, false), out);
            byte[] bytes = new byte[out.length];
            for (int i = 0; i < out.length; i++) {
                bytes[i] = (byte) out[i];
            }
            assertEquals(c.sha256(), java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes)), c.name());
        }));
    }

    // ---------------------------------------------------------------------------------------------
    // Damaged data: only CodecException, never a read outside [off, off + len).

    private static final List<String> ROBUSTNESS = List.of("lossless_sv1_head16s", "lossless_rst_rgb8",
            "lossless_sv1_jump16s", "baseline_rst_420_rgb8", "baseline_422_rgb8", "extended12_rst_chest12",
            "baseline_chest8");

    @Test
    void truncationsOnlyEverThrowCodecException() throws Exception {
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            short[] full = f.decode();
            int n = f.stream().length;
            int sos = indexOf(f.stream(), 0xDA);
            int scanStart = sos + 2 + ((f.stream()[sos + 2] & 0xFF) << 8 | (f.stream()[sos + 3] & 0xFF));
            int scanEnd = lastIndexOf(f.stream(), 0xD9); // EOI
            while ((f.stream()[scanEnd - 1] & 0xFF) == 0xFF) {
                scanEnd--; // fill bytes before the marker are not scan data
            }
            int step = Math.max(1, n / 400);
            for (int cut = 0; cut < n; cut += cut > n - 40 ? 1 : step) {
                // The bytes after the cut stay in the array: reading them would decode the frame.
                short[] out = new short[f.info().sampleCount()];
                try {
                    CODEC.decode(f.stream(), 0, cut, f.info(), out);
                    assertTrue(cut >= scanEnd, name + ": decoded although cut at " + cut + " inside the scan");
                    assertArrayEquals(full, out, name + ": cut at " + cut);
                } catch (CodecException e) {
                    assertTrue(e.getMessage().startsWith("JPEG: "), e.getMessage());
                    if (cut > scanStart + 8 && cut < scanEnd - 1) {
                        assertTrue(e.getMessage().matches("JPEG: data ends inside the scan after \\d+ of \\d+ rows"),
                                name + " cut at " + cut + ": " + e.getMessage());
                    }
                } catch (Throwable t) {
                    fail(name + ": cut at " + cut + " threw " + t, t);
                }
            }
        }
    }

    @Test
    void frameInsideALargerBufferIsReadOnlyWithinItsBounds() throws Exception {
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            byte[] s = f.stream();
            byte[] big = new byte[s.length + 300];
            Arrays.fill(big, (byte) 0xFF);
            System.arraycopy(s, 0, big, 100, s.length);
            short[] out = new short[f.info().sampleCount()];
            CODEC.decode(big, 100, s.length, f.info(), out);
            assertArrayEquals(f.decode(), out, name);
        }
    }

    @Test
    void randomCorruptionsOnlyEverThrowCodecException() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20240611);
        int trials = 0;
        int refused = 0;
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            short[] out = new short[f.info().sampleCount()];
            for (int t = 0; t < 500; t++, trials++) {
                byte[] b = f.stream().clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    // Half of the damage in the headers (first 700 bytes), where it hurts most.
                    int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(700, b.length)) : rnd.nextInt(b.length);
                    b[at] = rnd.nextInt(4) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
                }
                try {
                    CODEC.decode(b, 0, b.length, f.info(), out);
                } catch (CodecException e) {
                    refused++;
                    assertTrue(e.getMessage().startsWith("JPEG: ") && !e.getMessage().contains("internal"),
                            name + ": " + e.getMessage());
                } catch (Throwable e) {
                    fail(name + " trial " + t + " threw " + e, e);
                }
            }
        }
        assertTrue(refused > trials / 10, "suspiciously few corruptions detected: " + refused + " of " + trials);
    }

    // ---------------------------------------------------------------------------------------------
    // Refusals with a clear message.

    private static String refusal(byte[] stream, FrameInfo info) {
        CodecException e = assertThrows(CodecException.class,
                () -> CODEC.decode(stream, 0, stream.length, info, new short[info.sampleCount()]));
        return e.getMessage();
    }

    private static byte[] withMarker(byte[] s, int from, int to) {
        byte[] b = s.clone();
        int i = indexOf(b, from);
        b[i + 1] = (byte) to;
        return b;
    }

    @Test
    void unsupportedProcessesAreRefusedByName() throws Exception {
        Fixture f = fixture("baseline_chest8");
        FrameInfo info = f.info();
        assertEquals("JPEG: progressive DCT (SOF2) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xC2), info));
        assertEquals("JPEG: arithmetic coding (SOF9) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xC9), info));
        assertEquals("JPEG: arithmetic coding (SOF10) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xCA), info));
        assertEquals("JPEG: hierarchical (differential, SOF5) is not supported",
                refusal(withMarker(f.stream(), 0xC0, 0xC5), info));
        assertEquals("JPEG: hierarchical arithmetic coding (SOF13) is not supported",
                refusal(withMarker(f.stream(), 0xC0, 0xCD), info));
        // a DHP segment (hierarchical progression) right after SOI
        byte[] dhp = new byte[f.stream().length + 4];
        System.arraycopy(f.stream(), 0, dhp, 0, 2);
        dhp[2] = (byte) 0xFF;
        dhp[3] = (byte) 0xDE;
        dhp[4] = 0;
        dhp[5] = 2;
        System.arraycopy(f.stream(), 2, dhp, 6, f.stream().length - 2);
        assertEquals("JPEG: hierarchical JPEG (DHP marker) is not supported", refusal(Arrays.copyOf(dhp, dhp.length - 2), info));
        // JPEG-LS and JPEG 2000 are other codecs
        assertEquals("JPEG: this is a JPEG-LS stream (0xFFF7), not JPEG", refusal(withMarker(f.stream(), 0xC0, 0xF7), info));
        byte[] j2k = {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51, 0, 0};
        assertEquals("JPEG: not a JPEG stream (no SOI marker at the start, it starts 0xFF4F)", refusal(j2k, info));
    }

    @Test
    void losslessRestartIntervalsInsideLinesAreRefusedLikeDcmtk() throws Exception {
        Fixture f = fixture("lossless_rst_rgb8"); // 69 columns, restart every line
        byte[] s = f.stream().clone();
        int dri = indexOf(s, 0xDD);
        assertEquals(69, (s[dri + 4] & 0xFF) << 8 | (s[dri + 5] & 0xFF));
        s[dri + 5] = 50;
        assertEquals("JPEG: lossless restart interval 50 is not a multiple of the line length 69", refusal(s, f.info()));
        s[dri + 5] = (byte) 138; // every two lines: valid, but the stream has RST markers every line
        assertEquals("JPEG: scan interrupted by marker 0xFFD0 after 1 of 45 rows", refusal(s, f.info()));
    }

    @Test
    void headerMismatchesAreRefusedWithBothValues() throws Exception {
        Fixture f = fixture("baseline_chest8"); // 91 columns x 67 rows, 8 bits
        assertEquals("JPEG: frame is 91x67 but the DICOM header says 512x512",
                refusal(f.stream(), new FrameInfo(512, 512, 1, 8, 8, false)));
        assertEquals("JPEG: frame has 1 component but the DICOM header says SamplesPerPixel 3",
                refusal(f.stream(), new FrameInfo(67, 91, 3, 8, 8, false)));
        Fixture x = fixture("extended12_chest12");
        assertEquals("JPEG: sample precision is 12 bits but the DICOM header says BitsAllocated 8",
                refusal(x.stream(), new FrameInfo(128, 128, 1, 8, 8, false)));
        assertEquals("JPEG: sample precision is 12 bits but the DICOM header says BitsStored 16 (signed)",
                refusal(x.stream(), new FrameInfo(128, 128, 1, 16, 16, true)));
    }

    @Test
    void truncatedAndTableLessStreamsAreRefusedClearly() throws Exception {
        Fixture f = fixture("lossless_sv1_head16s");
        byte[] half = Arrays.copyOf(f.stream(), f.stream().length / 2);
        String m = refusal(half, f.info());
        assertTrue(m.matches("JPEG: data ends inside the scan after \\d+ of 128 rows"), m);
        int rows = Integer.parseInt(m.replaceAll(".*after (\\d+) of.*", "$1"));
        assertTrue(rows > 40 && rows < 90, m);

        // Drop the DHT segment: the scan uses a table never defined.
        byte[] s = f.stream();
        int dht = indexOf(s, 0xC4);
        int len = (s[dht + 2] & 0xFF) << 8 | (s[dht + 3] & 0xFF);
        byte[] noTable = new byte[s.length - 2 - len];
        System.arraycopy(s, 0, noTable, 0, dht);
        System.arraycopy(s, dht + 2 + len, noTable, dht, s.length - dht - 2 - len);
        assertEquals("JPEG: Huffman table DC0 used but not defined", refusal(noTable, f.info()));

        Fixture b = fixture("baseline_chest8");
        s = b.stream();
        int dqt = indexOf(s, 0xDB);
        len = (s[dqt + 2] & 0xFF) << 8 | (s[dqt + 3] & 0xFF);
        byte[] noQuant = new byte[s.length - 2 - len];
        System.arraycopy(s, 0, noQuant, 0, dqt);
        System.arraycopy(s, dqt + 2 + len, noQuant, dqt, s.length - dqt - 2 - len);
        assertEquals("JPEG: quantization table 0 used but not defined", refusal(noQuant, b.info()));

        assertEquals("JPEG: data ends before the first scan",
                refusal(Arrays.copyOf(s, indexOf(s, 0xDA)), b.info()));
        assertTrue(refusal(new byte[0], b.info()).startsWith("JPEG: not a JPEG stream"));
    }

    @Test
    void badArgumentsAreCodecExceptions() throws Exception {
        Fixture f = fixture("baseline_chest8");
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 10, f.stream().length, f.info(),
                new short[f.info().sampleCount()]));
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 0, f.stream().length, f.info(), new short[10]));
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 0, f.stream().length,
                new FrameInfo(67, 91, 1, 12, 12, false), new short[91 * 67]));
    }

    /** Index of the first marker 0xFF code in {@code b} (outside entropy data: headers only). */
    static int indexOf(byte[] b, int code) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i;
            }
        }
        throw new AssertionError("marker " + Integer.toHexString(code) + " not found");
    }

    static int lastIndexOf(byte[] b, int code) {
        for (int i = b.length - 2; i >= 0; i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i;
            }
        }
        throw new AssertionError("marker " + Integer.toHexString(code) + " not found");
    }

    /**
     * Decode timing (not a test): {@code java -cp target/classes:target/test-classes
     * lessismore.io.codec.JpegCodecTest [DIR]} decodes every fixture in DIR (default: the
     * committed fixtures; {@code scripts/fixtures/make_jpeg_fixtures.sh --bench} writes full
     * 512×512 lossless slices to /tmp/lessismore-jpeg-bench) for about two seconds each and prints
     * MB/s of decoded samples (2 bytes each, as short[]), best batch of ten.
     */
    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Paths.get(args[0]) : fixtureDir();
        for (Fixture f : fixtures(dir)) {
            short[] out = new short[f.info().sampleCount()];
            for (int i = 0; i < 200; i++) { // warm-up
                CODEC.decode(f.stream(), 0, f.stream().length, f.info(), out);
            }
            // Best of many batches of 10: the machine may be shared, the minimum is the codec's speed.
            long t0 = System.nanoTime();
            double s = Double.MAX_VALUE;
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                long b0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    CODEC.decode(f.stream(), 0, f.stream().length, f.info(), out);
                }
                s = Math.min(s, (System.nanoTime() - b0) / 1e9 / 10);
            }
            String same = Arrays.equals(out, f.expected()) ? "= expected" : "!= expected";
            System.out.printf(Locale.ROOT, "%-34s %4dx%-4d x%d  %8.3f ms  %7.1f MB/s decoded  %6.1f MB/s compressed  %s%n",
                    f.name(), f.i("columns"), f.i("rows"), f.i("samples"), s * 1e3, out.length * 2 / s / 1e6,
                    f.stream().length / s / 1e6, same);
        }
    }
}
