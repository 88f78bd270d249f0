package lessismore.io.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import lessismore.TestData;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.synth.DicomWriter;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import org.junit.jupiter.api.Test;

/** The DICOM reader on real files, on written variants, and on damaged and hostile bytes. */
class DicomReaderTest {
    private static byte[] read(String rel) throws Exception {
        return Files.readAllBytes(TestData.sharedData().resolve("ct").resolve(rel));
    }

    private static SkippedFileException refused(byte[] b) {
        return assertThrows(SkippedFileException.class, () -> DicomReader.parse(b, b.length));
    }

    @Test
    void readsImplicitAndExplicitRealSeries() throws Exception {
        byte[] implicit = read("chest-phase00/00-slice010.dcm");
        DicomHeader h = DicomReader.parse(implicit, implicit.length);
        assertEquals(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, h.transferSyntaxUid());
        assertEquals(512, h.rows());
        assertEquals(12, h.bitsStored());
        assertEquals(-1024, h.rescaleIntercept());
        assertEquals(3, h.imagePosition().length);
        byte[] explicit = read("ge-head-tilt/05.dcm");
        DicomHeader g = DicomReader.parse(explicit, explicit.length);
        assertEquals(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, g.transferSyntaxUid());
        assertEquals(1, g.pixelRepresentation());
        assertEquals(6, g.imageOrientation().length);
    }

    @Test
    void readsFilesWithoutPreambleAndWithoutMetaInformation() throws Exception {
        byte[] full = read("ge-head-tilt/05.dcm");
        DicomHeader ref = DicomReader.parse(full, full.length);
        short[] refPixels = decode(full, ref);

        // "DICM" at offset 0, no preamble.
        byte[] noPreamble = Arrays.copyOfRange(full, 128, full.length);
        assertArrayEquals(refPixels, decode(noPreamble, DicomReader.parse(noPreamble, noPreamble.length)));
        // Meta group first, no preamble and no "DICM".
        byte[] metaFirst = Arrays.copyOfRange(full, 132, full.length);
        assertArrayEquals(refPixels, decode(metaFirst, DicomReader.parse(metaFirst, metaFirst.length)));
        // Bare explicit-VR data set: skip the meta group (its group length says how long it is).
        int metaLength = (full[132 + 8] & 0xFF) | (full[132 + 9] & 0xFF) << 8;
        byte[] bare = Arrays.copyOfRange(full, 132 + 12 + metaLength, full.length);
        DicomHeader b = DicomReader.parse(bare, bare.length);
        assertEquals(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, b.transferSyntaxUid());
        assertArrayEquals(refPixels, decode(bare, b));
    }

    @Test
    void readsBareImplicitDataSetAndSkipsNestedUndefinedLengthSequences() throws Exception {
        short[] px = randomPixels(7, 16 * 12, 4096);
        DicomWriter.Builder item = DicomWriter.builder().addString(Tags.SOP_CLASS_UID, VR.UI, "1.2.3")
                .addSequence(0x0008_1140, List.of(DicomWriter.builder().addString(0x0008_1155, VR.UI, "1.2.3.4")), true);
        DicomWriter.Builder b = image(16, 12, px).addSequence(0x0008_1115, List.of(item, item), true);
        for (Syntax syntax : Syntax.values()) {
            for (boolean preamble : new boolean[] {true, false}) {
                if (!preamble && syntax == Syntax.EXPLICIT_VR_LITTLE_ENDIAN) {
                    continue;
                }
                byte[] bytes = b.toBytes(syntax, preamble);
                DicomHeader h = DicomReader.parse(bytes, bytes.length);
                assertEquals(16, h.columns());
                assertArrayEquals(px, decode(bytes, h), syntax + " preamble=" + preamble);
            }
        }
    }

    @Test
    void masksBitsAboveBitsStoredAndSignExtends() throws Exception {
        // 12 bits stored in 16, garbage in the top 4 bits; unsigned then signed.
        short[] raw = {(short) 0xF123, (short) 0x0FFF, (short) 0xA800, 0x0001};
        DicomWriter.Builder b = image(2, 2, raw).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11);
        byte[] bytes = b.toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        assertArrayEquals(new short[] {0x123, 0xFFF, 0x800, 1}, decode(bytes, DicomReader.parse(bytes, bytes.length)));
        b.addUS(Tags.PIXEL_REPRESENTATION, 1);
        bytes = b.toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        assertArrayEquals(new short[] {0x123, -1, -2048, 1}, decode(bytes, DicomReader.parse(bytes, bytes.length)));
    }

    @Test
    void refusesDicomdirAndNonImages() throws Exception {
        byte[] dir = Files.readAllBytes(TestData.sharedData().resolve("ct/philips-phantom-a/DIRFILE"));
        SkippedFileException e = refused(dir);
        assertEquals(SkipReason.NOT_IMAGE, e.reason());
        assertTrue(e.getMessage().contains("DICOMDIR"), e.getMessage());

        byte[] sr = DicomWriter.builder().addString(Tags.SOP_CLASS_UID, VR.UI, "1.2.840.10008.5.1.4.1.1.88.11")
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.2")
                .addString(Tags.MODALITY, VR.CS, "SR").toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        SkippedFileException s = refused(sr);
        assertEquals(SkipReason.NOT_IMAGE, s.reason());
        assertEquals("not an image: no Pixel Data (SOP Class 1.2.840.10008.5.1.4.1.1.88.11)", s.getMessage());
    }

    @Test
    void refusesNonDicomAndEmptyFiles() {
        assertEquals(SkipReason.NOT_DICOM, refused("hello, world\n".repeat(20).getBytes()).reason());
        assertEquals(SkipReason.NOT_DICOM, refused(new byte[0]).reason());
        assertEquals(SkipReason.NOT_DICOM, refused(new byte[200]).reason());
    }

    @Test
    void namesUnsupportedTransferSyntax() throws Exception {
        Path dir = TestData.sharedData().resolve("ct/totalseg-j2k");
        Path first;
        try (var s = Files.list(dir)) {
            first = s.sorted().findFirst().orElseThrow();
        }
        byte[] j2k = Files.readAllBytes(first);
        DicomHeader h = DicomReader.parse(j2k, j2k.length);
        assertTrue(h.encapsulated());
        assertEquals(1, h.frameCount());
        SkippedFileException e = assertThrows(SkippedFileException.class,
                () -> new Codecs(java.util.Map.of()).forTransferSyntax(h.transferSyntaxUid()));
        assertEquals(SkipReason.UNSUPPORTED, e.reason());
        assertEquals("unsupported transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Lossless)", e.getMessage());
    }

    @Test
    void truncatedPixelDataSaysHowMuchIsMissing() throws Exception {
        byte[] full = read("chest-phase00/00-slice010.dcm");
        int cut = full.length - 512 * 512 * 2 + 1200;
        SkippedFileException e = refused(Arrays.copyOf(full, cut));
        assertEquals(SkipReason.CORRUPT, e.reason());
        assertEquals("truncated pixel data: expected 524288 bytes, found 1200", e.getMessage());
    }

    @Test
    void everyTruncationOfTheHeaderIsRefusedCleanly() throws Exception {
        byte[] full = read("ge-head-tilt/05.dcm");
        int pixelOffset = DicomReader.parse(full, full.length).pixelDataOffset();
        for (int len = 0; len < pixelOffset + 16; len += 7) {
            byte[] cut = Arrays.copyOf(full, len);
            SkippedFileException e = refused(cut);
            assertTrue(e.reason() == SkipReason.CORRUPT || e.reason() == SkipReason.NOT_DICOM
                    || e.reason() == SkipReason.NOT_IMAGE, len + ": " + e.getMessage());
        }
    }

    @Test
    void lyingLengthFieldIsRefusedWithOffsets() throws Exception {
        byte[] full = read("ge-head-tilt/05.dcm").clone();
        // Find Rows (0028,0010) US in explicit VR and replace the element before it with a huge
        // length: the long-VR header of an OB at the position of (0028,0010).
        int at = indexOf(full, new byte[] {0x28, 0x00, 0x10, 0x00, 'U', 'S'});
        full[at + 4] = 'O';
        full[at + 5] = 'B';
        full[at + 6] = 0;
        full[at + 7] = 0;
        full[at + 8] = (byte) 0xF0;
        full[at + 9] = (byte) 0xFF;
        full[at + 10] = (byte) 0xFF;
        full[at + 11] = 0x7F;
        SkippedFileException e = refused(full);
        assertEquals(SkipReason.CORRUPT, e.reason());
        assertTrue(e.getMessage().startsWith("corrupt DICOM: element (0028,0010) declares 2147483632 bytes"),
                e.getMessage());
    }

    @Test
    void randomCorruptionNeverThrowsAnythingElse() throws Exception {
        byte[] full = read("ge-head-tilt/05.dcm");
        int headerEnd = DicomReader.parse(full, full.length).pixelDataOffset();
        SplittableRandom rnd = new SplittableRandom(1234);
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = full.clone();
            int flips = 1 + rnd.nextInt(8);
            for (int i = 0; i < flips; i++) {
                b[rnd.nextInt(headerEnd + 8)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(4) == 0 ? rnd.nextInt(b.length) : b.length;
            try {
                DicomHeader h = DicomReader.parse(b, len);
                decode(b, h);
            } catch (SkippedFileException expected) {
                assertNull(expected.getCause());
            }
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    static short[] decode(byte[] b, DicomHeader h) throws SkippedFileException {
        short[] out = new short[h.rows() * h.columns()];
        DicomPixels.decodeFrame(h, 0, out, Codecs.standard());
        return out;
    }

    static short[] randomPixels(long seed, int n, int bound) {
        SplittableRandom r = new SplittableRandom(seed);
        short[] px = new short[n];
        for (int i = 0; i < n; i++) {
            px[i] = (short) r.nextInt(bound);
        }
        return px;
    }

    static DicomWriter.Builder image(int w, int h, short[] px) {
        return DicomWriter.builder()
                .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.1")
                .addString(Tags.MODALITY, VR.CS, "CT")
                .addUS(Tags.SAMPLES_PER_PIXEL, 1)
                .addString(Tags.PHOTOMETRIC_INTERPRETATION, VR.CS, "MONOCHROME2")
                .addUS(Tags.ROWS, h).addUS(Tags.COLUMNS, w)
                .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 16).addUS(Tags.HIGH_BIT, 15)
                .addUS(Tags.PIXEL_REPRESENTATION, 0)
                .addPixelData(px);
    }
}
