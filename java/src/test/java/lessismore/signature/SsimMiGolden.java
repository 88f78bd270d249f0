package lessismore.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lessismore.TestData;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.reduce.SliceDecoder;

/**
 * The real slice pairs of golden/ssim-mi-shared-ct.csv (scripts/golden/make_ssim_mi_golden.py:
 * skimage SSIM, sklearn MI and NMI at 256 and 32 bins, on the tool's exported 8-bit slices of
 * ../shared/data/ct), with the two images of each pair re-derived here from the shared data by
 * SliceDecoder (and {@link SampledImage}'s LANCZOS resize at a compare size) and proven equal to the oracle's by SHA-256.
 */
final class SsimMiGolden {
    /**
     * One golden row: the two compared images (w × h: size × size, or native), the slices they
     * come from (512 × 512) and the oracle's values.
     */
    record Pair(String label, int size, byte[] a, byte[] b, int w, int h, byte[] nativeA, byte[] nativeB,
                double ssim, double mi256, double nmi256, double mi32, double nmi32) {
    }

    private SsimMiGolden() {
    }

    static List<Pair> pairs() throws IOException, SkippedFileException {
        Path ct = TestData.sharedData().resolve("ct");
        Map<String, InputFile> files = new HashMap<>();
        for (InputFile f : InputScanner.scan(ct)) {
            files.put(f.relativePath(), f);
        }
        SliceDecoder decoder = new SliceDecoder();
        Map<String, byte[]> nativeImages = new HashMap<>();
        List<Pair> pairs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                SsimMiGolden.class.getResourceAsStream("/golden/ssim-mi-shared-ct.csv"), StandardCharsets.UTF_8))) {
            r.readLine(); // kind,size,path_a,frame_a,path_b,frame_b,sha_a,sha_b,ssim,mi_256,nmi_256,mi_32,nmi_32
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",");
                String label = f[0] + " " + f[1] + " " + f[2] + "#" + f[3] + " / " + f[4] + "#" + f[5];
                int size = f[1].equals("native") ? 0 : Integer.parseInt(f[1]);
                byte[] nativeA = slice(files.get(f[2]), Integer.parseInt(f[3]), decoder, nativeImages);
                byte[] nativeB = slice(files.get(f[4]), Integer.parseInt(f[5]), decoder, nativeImages);
                byte[] a = size == 0 ? nativeA : resize(nativeA, size);
                byte[] b = size == 0 ? nativeB : resize(nativeB, size);
                assertEquals(f[6], sha16(a), label + ": first image differs from the oracle's");
                assertEquals(f[7], sha16(b), label + ": second image differs from the oracle's");
                int side = size == 0 ? 512 : size; // every shared CT slice is 512 × 512
                pairs.add(new Pair(label, size, a, b, side, side, nativeA, nativeB, Double.parseDouble(f[8]),
                        Double.parseDouble(f[9]), Double.parseDouble(f[10]), Double.parseDouble(f[11]),
                        Double.parseDouble(f[12])));
            }
        }
        return pairs;
    }

    /** The 8-bit 512 × 512 slice (frame of file), decoded once. */
    private static byte[] slice(InputFile file, int frame, SliceDecoder decoder, Map<String, byte[]> cache)
            throws SkippedFileException {
        byte[] full = cache.get(file.relativePath() + "#" + frame);
        if (full == null) {
            decoder.decodeSlice(file, frame);
            decoder.to8Bit();
            assertEquals(512, decoder.width(), file.relativePath());
            assertEquals(512, decoder.height(), file.relativePath());
            full = Arrays.copyOf(decoder.gray(), 512 * 512);
            cache.put(file.relativePath() + "#" + frame, full);
        }
        return full;
    }

    /** A 512 × 512 image resized to size × size with LANCZOS, as the methods' signatures hold it. */
    private static byte[] resize(byte[] full, int size) {
        return Arrays.copyOf(SampledImage.of(full, 512, 512, size), size * size);
    }

    /** First 16 hex digits of SHA-256, as the golden script writes them. */
    private static String sha16(byte[] pixels) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pixels)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A w × h image of uniform random bytes. */
    static byte[] random(Random rnd, int w, int h) {
        byte[] img = new byte[w * h];
        rnd.nextBytes(img);
        return img;
    }

    /** The signature a method's signer gives for an image. */
    static byte[] sign(SignatureMethod<byte[]> m, byte[] gray, int w, int h) {
        byte[][] out = new byte[1][];
        try (Signer<byte[]> s = m.newSigner()) {
            s.sign(gray, w, h, sig -> out[0] = sig);
            s.flush();
        }
        return out[0];
    }
}
