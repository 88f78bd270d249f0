package lessismore.reduce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.StandardOpenOption;
import lessismore.io.InputFile;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.dicom.DicomHeader;
import lessismore.io.dicom.DicomPixels;
import lessismore.io.dicom.DicomReader;
import lessismore.preprocess.PublishedPreprocessing;
import lessismore.signature.DHash;

/**
 * Reads one file and turns it into its 8-bit preprocessed slice and signature. One instance per
 * worker thread: the buffers (file bytes, int16 pixels, 8-bit pixels, lookup table) are reused from
 * slice to slice, so memory stays flat however many slices a run reads.
 */
public final class SliceDecoder {
    /** Files larger than this are refused rather than read into memory (single-frame CT is ~0.5 MB). */
    static final long MAX_FILE_BYTES = 1L << 30;

    private byte[] fileBytes = new byte[1 << 20];
    private short[] pixels = new short[512 * 512];
    private byte[] gray = new byte[0];
    private final int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
    /** min of the last slice's int16 values: lut[v - lutMin] is the 8-bit value of v. */
    private int lutMin;
    private DicomHeader header;

    /**
     * Reads, parses and decodes one file and applies the published preprocessing up to the 8-bit
     * lookup table; afterwards {@link #header()} describes it and {@link #to8Bit()} can map it.
     */
    public void decode(InputFile f) throws SkippedFileException {
        if (f.problem() != null) {
            throw f.problem();
        }
        int length = read(f);
        header = DicomReader.parse(fileBytes, length);
        int n = header.rows() * header.columns();
        if (pixels.length < n) {
            pixels = new short[n];
        }
        DicomPixels.decodeStored(fileBytes, header, pixels);
        PublishedPreprocessing.toInt16Hounsfield(pixels, n, header.rescaleSlope(), header.rescaleIntercept());
        lutMin = PublishedPreprocessing.minMaxLut(pixels, n, lut);
    }

    /** Maps the last decoded slice to 8 bits in {@link #gray()}. */
    public void to8Bit() {
        int n = header.rows() * header.columns();
        if (gray.length < n) {
            gray = new byte[n];
        }
        PublishedPreprocessing.to8Bit(pixels, n, lutMin, lut, gray);
    }

    /** Header of the last decoded file. */
    public DicomHeader header() {
        return header;
    }

    /** 8-bit preprocessed pixels of the last decoded file after {@link #to8Bit()} (rows × columns valid entries). */
    public byte[] gray() {
        return gray;
    }

    /**
     * dHash of the last decoded slice. Rows are mapped to 8 bits on the fly, which is cheaper than
     * {@link #to8Bit()} followed by a hash of the byte image, and gives the same bits.
     */
    public long dhash64() {
        int w = header.columns();
        short[] px = pixels;
        int[] table = lut;
        int min = lutMin;
        return DHash.dhash64((y, dst) -> {
            for (int x = 0, p = y * w; x < w; x++) {
                dst[x] = table[px[p + x] - min];
            }
        }, w, header.rows());
    }

    /** Decodes {@code r}'s file and fills {@code r} with its header values and dHash. */
    void decodeInto(SliceRecord r) throws SkippedFileException {
        decode(r.file);
        DicomHeader h = header;
        r.studyUid = h.studyInstanceUid();
        r.seriesUid = h.seriesInstanceUid();
        r.instanceNumber = h.instanceNumber();
        r.position = h.imagePosition();
        r.orientation = h.imageOrientation();
        r.rows = h.rows();
        r.columns = h.columns();
        r.signature = dhash64();
    }

    private int read(InputFile f) throws SkippedFileException {
        try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        "file of " + size + " bytes is larger than the " + MAX_FILE_BYTES + "-byte limit");
            }
            if (fileBytes.length < size) {
                fileBytes = new byte[(int) size];
            }
            ByteBuffer buf = ByteBuffer.wrap(fileBytes, 0, (int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            return buf.position();
        } catch (NoSuchFileException e) {
            throw new SkippedFileException(SkipReason.UNREADABLE, "file vanished before it could be read");
        } catch (AccessDeniedException e) {
            throw new SkippedFileException(SkipReason.UNREADABLE, "permission denied");
        } catch (IOException e) {
            throw new SkippedFileException(SkipReason.UNREADABLE, "read error: " + e.getMessage());
        }
    }
}
