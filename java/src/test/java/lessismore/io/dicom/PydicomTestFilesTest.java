package lessismore.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lessismore.io.SkippedFileException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Our reader on the DICOM test files shipped in Debian's python3-pydicom (many tools, many edge
 * cases), against what pydicom itself decodes (golden file made by
 * scripts/golden/make_pydicom_testfiles_golden.py): every file pydicom decodes, we decode to
 * the same array (lossy JPEG 2000 within one unit); every file pydicom rejects, we reject, unless
 * pydicom lacks a decoder (then dcmtk or an identical sibling file is the reference) or fails for
 * its own reasons. Every exception is listed below with its reason.
 */
class PydicomTestFilesTest {
    static final Path FILES = Paths.get("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    /** Files pydicom cannot decode (12-bit lossy JPEG, no JPEG handler): compared with dcmtk's dcmdjpeg. */
    static final java.util.Set<String> DCMTK_ORACLE = java.util.Set.of("JPEG-lossy.dcm", "JPGExtended.dcm",
            "SC_rgb_jpeg_gdcm.dcm");

    /** Largest difference from pydicom (OpenJPEG) allowed for lossy JPEG 2000 (irreversible wavelet rounding). */
    static final int LOSSY_J2K_TOLERANCE = 1;

    /**
     * Files pydicom rejects for reasons unrelated to their pixel data, which we decode: checked
     * only to decode at all. badVR.dcm: pydicom raises TypeError while formatting its warning about
     * an invalid VR; dcmtk's dcmdump reads the file.
     */
    static final java.util.Set<String> PYDICOM_OWN_FAILURES = java.util.Set.of("badVR.dcm",
            // OpenJPEG (through Pillow) reports a broken stream; JJ2000 decodes it; nothing here arbitrates.
            "GDCMJ2K_TextGBR.dcm");

    /** Files pydicom cannot decode (no handler installed) whose image equals another test file's. */
    static final Map<String, String> SAME_AS = Map.of("MR_small_jpeg_ls_lossless.dcm", "MR_small.dcm");

    record Golden(String status, int frames, String sha256, String reason) {
    }

    static Map<String, Golden> golden() throws IOException {
        Map<String, Golden> m = new LinkedHashMap<>();
        try (InputStream in = PydicomTestFilesTest.class.getResourceAsStream("/golden/pydicom-test-files.csv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(",", 9);
                m.put(f[0], new Golden(f[1], f[2].isEmpty() ? 0 : Integer.parseInt(f[2]), f[7], f[8]));
            }
        }
        return m;
    }

    /** SHA-256 of all frames' samples as int64 little endian, as the golden script hashes them. */
    static String ourHash(byte[] bytes) throws SkippedFileException, Exception {
        DicomHeader h = DicomReader.parse(bytes, bytes.length);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int k = 0; k < h.frameCount(); k++) {
            int[] s = DicomPixels.decodeSamples(h, k, Codecs.standard());
            ByteBuffer b = ByteBuffer.allocate(s.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : s) {
                b.putLong(h.pixelRepresentation() == 1 || h.bitsAllocated() < 32 ? v : Integer.toUnsignedLong(v));
            }
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Max |ours - pydicom| over the array the golden script kept for a lossy file. */
    static int maxDifferenceFromLossyGolden(String file, byte[] bytes) throws Exception {
        int[] want;
        try (InputStream in = new java.util.zip.GZIPInputStream(PydicomTestFilesTest.class
                .getResourceAsStream("/golden/pydicom-lossy/" + file + ".i32.gz"))) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            want = new int[b.remaining() / 4];
            b.asIntBuffer().get(want);
        }
        DicomHeader h = DicomReader.parse(bytes, bytes.length);
        int[] got = DicomPixels.decodeSamples(h, 0, Codecs.standard());
        assertEquals(want.length, got.length, file);
        int max = 0;
        for (int i = 0; i < got.length; i++) {
            max = Math.max(max, Math.abs(got[i] - want[i]));
        }
        return max;
    }

    /** Hash of dcmtk's own decode (dcmdjpeg, no colour conversion), or null without dcmtk. */
    static String dcmdjpegHash(Path file) throws Exception {
        if (!Files.isExecutable(Paths.get("/usr/bin/dcmdjpeg"))) {
            return null;
        }
        Path out = Files.createTempFile("dcmdjpeg", ".dcm");
        try {
            Process p = new ProcessBuilder("/usr/bin/dcmdjpeg", "+cn", file.toString(), out.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), "dcmdjpeg " + file);
            return ourHash(Files.readAllBytes(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void sameArraysAsPydicom() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FILES) || System.getenv("CI") != null,
                "python3-pydicom's test files are not installed");
        assertTrue(Files.isDirectory(FILES), FILES + " missing (apt-get install python3-pydicom)");
        Map<String, Golden> golden = golden();
        Map<String, String> hashes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int matched = 0;
        for (Map.Entry<String, Golden> e : golden.entrySet()) {
            byte[] bytes = Files.readAllBytes(FILES.resolve(e.getKey()));
            String ours;
            try {
                ours = ourHash(bytes);
                hashes.put(e.getKey(), ours);
            } catch (SkippedFileException ex) {
                if (e.getValue().status().equals("ok")) {
                    problems.add(e.getKey() + ": pydicom decodes it but we refuse it (" + ex.getMessage() + ")");
                }
                continue;
            }
            Golden g = e.getValue();
            if (g.status().equals("ok")) {
                if (g.sha256().equals(ours)) {
                    matched++;
                } else if (g.reason().startsWith("1.2.840.10008.1.2.4.91")) {
                    int diff = maxDifferenceFromLossyGolden(e.getKey(), bytes);
                    if (diff > LOSSY_J2K_TOLERANCE) {
                        problems.add(e.getKey() + ": lossy JPEG 2000 differs from pydicom by " + diff);
                    } else {
                        matched++;
                    }
                } else {
                    problems.add(e.getKey() + ": decoded differently from pydicom (" + g.reason() + ")");
                }
            } else if (DCMTK_ORACLE.contains(e.getKey())) {
                String dcmtk = dcmdjpegHash(FILES.resolve(e.getKey()));
                if (dcmtk != null && !dcmtk.equals(ours)) {
                    problems.add(e.getKey() + ": decoded differently from dcmdjpeg");
                }
            } else if (!SAME_AS.containsKey(e.getKey()) && !PYDICOM_OWN_FAILURES.contains(e.getKey())) {
                problems.add(e.getKey() + ": pydicom rejects it (" + g.reason() + ") but we decoded it");
            }
        }
        for (Map.Entry<String, String> s : SAME_AS.entrySet()) {
            String ours = hashes.get(s.getKey());
            if (ours != null) {
                assertEquals(golden.get(s.getValue()).sha256(), ours, s.getKey() + " vs " + s.getValue());
            }
        }
        if (!problems.isEmpty()) {
            fail("matched " + matched + "; problems: " + String.join("; ", problems));
        }
    }
}
