package lessismore.io.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.codec.FrameCodec;
import lessismore.synth.DicomWriter;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import org.junit.jupiter.api.Test;

/**
 * Transfer syntaxes written by dcmtk (scripts/fixtures/make_dicom_syntax_fixtures.sh: Explicit VR
 * Big Endian and Deflated from real slices), multi-frame objects with functional groups, and the
 * assignment of encapsulated fragments to frames.
 */
class DicomSyntaxAndFramesTest {
    static byte[] fixture(String name) throws IOException {
        try (InputStream in = DicomSyntaxAndFramesTest.class.getResourceAsStream("/fixtures/dicom/" + name)) {
            return in.readAllBytes();
        }
    }

    static short[] frame(byte[] file, int k, Codecs codecs) throws SkippedFileException {
        DicomHeader h = DicomReader.parse(file, file.length);
        short[] out = new short[h.rows() * h.columns()];
        DicomPixels.decodeFrame(h, k, out, codecs);
        return out;
    }

    @Test
    void bigEndianAndDeflatedDecodeToTheSameStoredValues() throws Exception {
        for (String name : new String[] {"chest-u12", "head-s16"}) {
            short[] ref = frame(fixture(name + "-le.dcm"), 0, Codecs.standard());
            byte[] be = fixture(name + "-be.dcm");
            DicomHeader h = DicomReader.parse(be, be.length);
            assertEquals(TransferSyntax.EXPLICIT_VR_BIG_ENDIAN, h.transferSyntaxUid());
            assertEquals(80, h.rows());
            assertArrayEquals(ref, frame(be, 0, Codecs.standard()), name + " big endian");
            byte[] deflated = fixture(name + "-deflated.dcm");
            assertEquals(TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
                    DicomReader.parse(deflated, deflated.length).transferSyntaxUid());
            assertArrayEquals(ref, frame(deflated, 0, Codecs.standard()), name + " deflated");
        }
        byte[] be = fixture("head-s16-be.dcm");
        assertEquals(1, DicomReader.parse(be, be.length).pixelRepresentation());
    }

    @Test
    void truncatedDeflatedStreamIsRefused() throws Exception {
        byte[] d = fixture("head-s16-deflated.dcm");
        SkippedFileException e = assertThrows(SkippedFileException.class,
                () -> DicomReader.parse(d, d.length / 2));
        assertEquals(SkipReason.CORRUPT, e.reason());
    }

    /** An enhanced-CT-like multi-frame object: shared orientation, per-frame position and rescale. */
    static DicomWriter.Builder multiFrame(int frames, short[] pixels) {
        List<DicomWriter.Builder> perFrame = new ArrayList<>();
        for (int k = 0; k < frames; k++) {
            perFrame.add(DicomWriter.builder()
                    .addSequence(0x0020_9113, List.of(DicomWriter.builder().addDS(Tags.IMAGE_POSITION_PATIENT, -10, -20, 5.0 * k)))
                    .addSequence(0x0028_9145, List.of(DicomWriter.builder()
                            .addDS(0x0028_1052, -1000 - k).addDS(0x0028_1053, 1))));
        }
        DicomWriter.Builder shared = DicomWriter.builder()
                .addSequence(0x0020_9116, List.of(DicomWriter.builder().addDS(Tags.IMAGE_ORIENTATION_PATIENT, 1, 0, 0, 0, 1, 0)));
        return DicomWriter.builder()
                .addString(Tags.SOP_CLASS_UID, VR.UI, "1.2.840.10008.5.1.4.1.1.2.1")
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.3")
                .addIS(0x0028_0008, frames)
                .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, 4).addUS(Tags.COLUMNS, 3)
                .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11)
                .addUS(Tags.PIXEL_REPRESENTATION, 0)
                .addSequence(0x5200_9229, List.of(shared), true)
                .addSequence(0x5200_9230, perFrame, false)
                .addPixelData(pixels);
    }

    @Test
    void multiFrameNativeWithFunctionalGroups() throws Exception {
        int frames = 5;
        short[] px = new short[frames * 12];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) (i * 37 % 4096);
        }
        for (Syntax syntax : Syntax.values()) {
            byte[] file = multiFrame(frames, px).toBytes(syntax, true);
            DicomHeader h = DicomReader.parse(file, file.length);
            assertEquals(frames, h.frameCount());
            for (int k = 0; k < frames; k++) {
                assertArrayEquals(new double[] {-10, -20, 5.0 * k}, h.frame(k).position(), syntax + " frame " + k);
                assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, h.frame(k).orientation());
                assertEquals(-1000 - k, h.frame(k).intercept());
                short[] want = java.util.Arrays.copyOfRange(px, k * 12, k * 12 + 12);
                assertArrayEquals(want, frame(file, k, Codecs.standard()));
            }
        }
    }

    @Test
    void perFrameItemsMustCoverEveryFrame() {
        byte[] file = multiFrame(3, new short[36]).addIS(0x0028_0008, 4).addPixelData(new short[48])
                .toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        SkippedFileException e = assertThrows(SkippedFileException.class, () -> DicomReader.parse(file, file.length));
        assertEquals("Per-frame Functional Groups has 3 items for 4 frames", e.getMessage());
    }

    /** A test codec for the RLE UID whose "compressed" data is raw little-endian samples. */
    static final FrameCodec RAW = (src, off, len, info, out) -> {
        if (len != info.sampleCount() * 2) {
            throw new lessismore.io.codec.CodecException("raw: " + len + " bytes for " + info.sampleCount() + " samples");
        }
        ByteBuffer.wrap(src, off, len).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out, 0, info.sampleCount());
    };

    /** Explicit VR LE file of 2x2 frames with encapsulated Pixel Data made of the given items. */
    static byte[] encapsulated(int frames, byte[] bot, byte[]... fragments) throws IOException {
        byte[] head = DicomWriter.builder()
                .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.4")
                .addIS(0x0028_0008, frames)
                .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, 2).addUS(Tags.COLUMNS, 2)
                .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 16).addUS(Tags.HIGH_BIT, 15)
                .addUS(Tags.PIXEL_REPRESENTATION, 0)
                .toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        // Point the meta group's transfer syntax at RLE: same length as Explicit VR LE's UID + pad.
        String from = "1.2.840.10008.1.2.1\0";
        String to = "1.2.840.10008.1.2.5\0";
        String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf(from);
        byte[] uid = "1.2.840.10008.1.2.5\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(head, 0, at);
        out.write(uid);
        out.write(head, at + from.length(), head.length - at - from.length());
        assertEquals(to.length(), from.length());
        ByteBuffer el = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        el.putShort((short) 0x7FE0).putShort((short) 0x0010).put((byte) 'O').put((byte) 'B').putShort((short) 0).putInt(-1);
        out.write(el.array());
        item(out, 0xE000, bot);
        for (byte[] f : fragments) {
            item(out, 0xE000, f);
        }
        item(out, 0xE0DD, new byte[0]);
        return out.toByteArray();
    }

    static void item(ByteArrayOutputStream out, int element, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xFFFE).putShort((short) element).putInt(value.length);
        out.write(b.array(), 0, 8);
        out.write(value, 0, value.length);
    }

    static byte[] samples(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    static byte[] bot(long... offsets) {
        ByteBuffer b = ByteBuffer.allocate(offsets.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long o : offsets) {
            b.putInt((int) o);
        }
        return b.array();
    }

    @Test
    void encapsulatedFramesFromOneFragmentEachFromOffsetTableAndSplitFragments() throws Exception {
        Codecs codecs = new Codecs(Map.of("1.2.840.10008.1.2.5", RAW));
        byte[] f0 = samples(1, 2, 3, 4);
        byte[] f1 = samples(5, 6, 7, 8);
        // One fragment per frame, empty Basic Offset Table.
        byte[] simple = encapsulated(2, new byte[0], f0, f1);
        assertArrayEquals(new short[] {5, 6, 7, 8}, frame(simple, 1, codecs));
        // Frame 1 split over two fragments; the Basic Offset Table says where frames start:
        // frame 0's item is 8 + 8 bytes long, so frame 1 starts at offset 16.
        byte[] split = encapsulated(2, bot(0, 16), f0, java.util.Arrays.copyOf(f1, 4),
                java.util.Arrays.copyOfRange(f1, 4, 8));
        assertArrayEquals(new short[] {1, 2, 3, 4}, frame(split, 0, codecs));
        assertArrayEquals(new short[] {5, 6, 7, 8}, frame(split, 1, codecs));
        // An offset table entry that is not the start of a fragment is refused.
        byte[] bad = encapsulated(2, bot(0, 15), f0, f1);
        SkippedFileException e = assertThrows(SkippedFileException.class, () -> DicomReader.parse(bad, bad.length));
        assertTrue(e.getMessage().contains("offset table entry 1 (15) is not the start of a fragment"), e.getMessage());
        // A codec failure names the frame and the transfer syntax.
        byte[] shortFrame = encapsulated(1, new byte[0], samples(1, 2));
        SkippedFileException c = assertThrows(SkippedFileException.class, () -> frame(shortFrame, 0, codecs));
        assertEquals("cannot decode frame 0 (1.2.840.10008.1.2.5 (RLE Lossless)): raw: 4 bytes for 4 samples",
                c.getMessage());
    }
}
