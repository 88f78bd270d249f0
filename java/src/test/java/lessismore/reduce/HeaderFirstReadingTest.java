package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import lessismore.io.InputFile;
import lessismore.io.dicom.Codecs;
import lessismore.io.dicom.DicomHeader;
import lessismore.io.dicom.DicomReader;
import lessismore.preprocess.Preprocessing;
import lessismore.synth.DicomWriter;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large files are read header first and frame by frame: the same slices and signatures as reading
 * the whole file, with the thresholds lowered so that small test files take that path.
 */
class HeaderFirstReadingTest {
    static InputFile input(Path p) throws Exception {
        return new InputFile(p, p.getFileName().toString(), Files.size(p), null);
    }

    static List<Long> hashes(SliceDecoder d, InputFile f) throws Exception {
        List<Long> out = new ArrayList<>();
        d.forEachSlice(f, new SliceDecoder.Visitor() {
            @Override
            public void slice(SliceDecoder.Slice s) {
                out.add(d.dhash64());
            }

            @Override
            public void skipped(int frame, lessismore.io.SkippedFileException e) {
                throw new AssertionError(e.getMessage());
            }
        });
        return out;
    }

    @Test
    void multiFrameNativeFileFromItsHeaderAndFramesEqualsWholeFile(@TempDir Path tmp) throws Exception {
        int frames = 6;
        int size = 64;
        short[] px = new short[frames * size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) ((i * 31 + (i / 4096) * 977) % 4096);
        }
        Path file = tmp.resolve("mf.dcm");
        DicomWriter.builder()
                .addString(Tags.SOP_CLASS_UID, VR.UI, "1.2.840.10008.5.1.4.1.1.2.1")
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.8")
                .addIS(0x0028_0008, frames)
                .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, size).addUS(Tags.COLUMNS, size)
                .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11)
                .addUS(Tags.PIXEL_REPRESENTATION, 0)
                .addPixelData(px)
                .write(file, Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        byte[] prefix = java.util.Arrays.copyOf(Files.readAllBytes(file), 2048);
        DicomHeader h = DicomReader.parsePrefix(prefix, prefix.length, Files.size(file));
        assertEquals(frames, h.frameCount());
        assertTrue(h.bytesInBuffer() < Files.size(file));

        SliceDecoder whole = new SliceDecoder();
        SliceDecoder streamed = new SliceDecoder(Codecs.standard(), new Preprocessing.PublishedMinMax(), 1000, 2048);
        List<Long> a = hashes(whole, input(file));
        assertEquals(frames, a.size());
        assertEquals(a, hashes(streamed, input(file)));
    }

    @Test
    void compressedLargeFilesFallBackToReadingTheWholeFile() throws Exception {
        Path rle = Paths.get("/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small_RLE.dcm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(rle) || System.getenv("CI") != null);
        SliceDecoder streamed = new SliceDecoder(Codecs.standard(), new Preprocessing.PublishedMinMax(), 1000, 2048);
        assertEquals(hashes(new SliceDecoder(), input(rle)), hashes(streamed, input(rle)));
    }
}
