package lessismore.reduce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import lessismore.io.InputFile;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.dicom.Codecs;
import lessismore.io.dicom.DicomHeader;
import lessismore.io.dicom.DicomPixels;
import lessismore.io.dicom.DicomReader;
import lessismore.io.images.ImageSlice;
import lessismore.io.images.ImageSliceReader;
import lessismore.io.nifti.NiftiReader;
import lessismore.io.nifti.NiftiVolume;
import lessismore.preprocess.Preprocessing;
import lessismore.preprocess.PublishedPreprocessing;
import lessismore.signature.DHash;

/**
 * Reads input files and turns each slice they hold into its preprocessed 8-bit form and signature.
 * A file holds one slice (an ordinary CT DICOM file, a PNG/JPEG/TIFF image) or several (a
 * multi-frame DICOM object, a NIfTI volume, whose slices are the planes across its axis closest to
 * the body's long axis, inferior first).
 *
 * <p>One instance per worker thread: the buffers (file bytes, int16 pixels, 8-bit pixels, lookup
 * table) are reused from slice to slice, so memory stays flat however many slices a run reads. The
 * last file read is kept, so asking for several slices of one file reads it once.
 */
public final class SliceDecoder {
    /** Files larger than this are refused (single-frame CT is ~0.5 MB). */
    static final long MAX_FILE_BYTES = 1L << 30;
    /** DICOM files larger than this have their header read first and their frames one by one. */
    static final long STREAM_ABOVE_BYTES = 16L << 20;
    /** How much of such a file is read for its header (more when the header is longer). */
    static final int HEADER_PREFIX_BYTES = 1 << 20;

    /**
     * Identity and geometry of one slice.
     *
     * @param frame          index of the slice in its file (0 for single-slice files)
     * @param frames         number of slices in the file
     * @param studyUid       Study Instance UID, or ""
     * @param seriesUid      Series Instance UID, or ""
     * @param instanceNumber Instance Number, or null
     * @param position       position of the first pixel in mm, or null
     * @param orientation    row and column direction cosines (6 values), or null
     * @param rows           height
     * @param columns        width
     * @param volumeLabel    readable name for the volume this file forms alone (a NIfTI file's
     *                       name), or null to name volumes after their folder
     */
    public record Slice(int frame, int frames, String studyUid, String seriesUid, Integer instanceNumber,
                        double[] position, double[] orientation, int rows, int columns, String volumeLabel) {
    }

    /** What kind of file a path holds, by its name: DICOM unless it says otherwise. */
    enum Kind { DICOM, NIFTI, IMAGE }

    static Kind kind(InputFile f) {
        String name = f.path().getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".nii") || name.endsWith(".nii.gz") || name.endsWith(".hdr")) {
            return Kind.NIFTI;
        }
        return ImageSliceReader.hasImageExtension(name) ? Kind.IMAGE : Kind.DICOM;
    }

    /** Receives the slices of a file in order. */
    public interface Visitor {
        /** The decoder now holds slice {@code s}: {@link #dhash64()} and {@link #to8Bit()} apply to it. */
        void slice(Slice s) throws IOException;

        /** Slice {@code frame} of an otherwise readable file cannot be decoded. */
        void skipped(int frame, SkippedFileException e);
    }

    private final Codecs codecs;
    private final Preprocessing preprocessing;
    private final long streamAbove;
    private final int headerPrefix;
    /** One native frame read from the file when only the header is in memory. */
    private byte[] frameBytes = new byte[0];
    /** Indices of the current slice's padding pixels, [0, paddingCount). */
    private int[] paddingIndex = new int[0];
    private byte[] fileBytes = new byte[1 << 20];
    private short[] pixels = new short[512 * 512];
    private byte[] gray = new byte[0];
    private final int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
    /** min of the current slice's int16 values: lut[v - lutMin] is the 8-bit value of v. */
    private int lutMin;
    private int width;
    private int height;
    private InputFile cachedFile;
    private DicomHeader cachedHeader;
    private NiftiVolume cachedVolume;
    private float[] voxels = new float[0];
    /** Identity table for 8-bit images, which are hashed as they are (as the published scripts hashed PNGs). */
    private static final int[] IDENTITY = java.util.stream.IntStream.range(0, 256).toArray();

    /** A decoder for every transfer syntax this version reads, with the published preprocessing. */
    public SliceDecoder() {
        this(new Preprocessing.PublishedMinMax());
    }

    /** A decoder for every transfer syntax this version reads, with the given preprocessing. */
    public SliceDecoder(Preprocessing preprocessing) {
        this(Codecs.standard(), preprocessing);
    }

    /** A decoder with the given codecs for compressed transfer syntaxes and preprocessing. */
    public SliceDecoder(Codecs codecs, Preprocessing preprocessing) {
        this(codecs, preprocessing, STREAM_ABOVE_BYTES, HEADER_PREFIX_BYTES);
    }

    /** As above, with the sizes that switch to header-first reading (for tests). */
    SliceDecoder(Codecs codecs, Preprocessing preprocessing, long streamAbove, int headerPrefix) {
        this.codecs = codecs;
        this.preprocessing = preprocessing;
        this.streamAbove = streamAbove;
        this.headerPrefix = headerPrefix;
    }

    /**
     * Decodes every slice of {@code f} in order and hands each to {@code visitor}.
     *
     * @throws SkippedFileException when the file as a whole cannot be used
     */
    public void forEachSlice(InputFile f, Visitor visitor) throws SkippedFileException, IOException {
        if (f.problem() != null) {
            throw f.problem();
        }
        switch (kind(f)) {
            case NIFTI -> {
                NiftiVolume v = openNifti(f);
                double[] normal = v.sliceNormal();
                double[] orientation = orientationFor(normal);
                String label = f.path().getFileName().toString().replaceFirst("(?i)\\.(nii(\\.gz)?|hdr)$", "");
                for (int k = 0; k < v.sliceCount(); k++) {
                    decodeNifti(v, k);
                    visitor.slice(new Slice(k, v.sliceCount(), "", "nifti:" + f.relativePath(), null,
                            v.slicePosition(k), orientation, v.sliceHeight(), v.sliceWidth(), label));
                }
            }
            case IMAGE -> {
                decodeImage(f);
                visitor.slice(new Slice(0, 1, "", "", null, null, null, height, width, null));
            }
            case DICOM -> {
                DicomHeader h = open(f);
                for (int k = 0; k < h.frameCount(); k++) {
                    try {
                        decodeFrame(h, k);
                    } catch (SkippedFileException e) {
                        if (h.frameCount() == 1) {
                            throw e;
                        }
                        visitor.skipped(k, e);
                        continue;
                    }
                    DicomHeader.Frame fr = h.frame(k);
                    visitor.slice(new Slice(k, h.frameCount(), h.studyInstanceUid(), h.seriesInstanceUid(),
                            h.instanceNumber(), fr.position(), fr.orientation(), h.rows(), h.columns(), null));
                }
            }
        }
    }

    /** Decodes slice {@code frame} of {@code f} (re-using the file if it was the last one read). */
    public void decodeSlice(InputFile f, int frame) throws SkippedFileException {
        if (f.problem() != null) {
            throw f.problem();
        }
        switch (kind(f)) {
            case NIFTI -> decodeNifti(openNifti(f), frame);
            case IMAGE -> decodeImage(f);
            case DICOM -> {
                DicomHeader h = open(f);
                if (frame < 0 || frame >= h.frameCount()) {
                    throw new IllegalArgumentException("frame " + frame + " of " + h.frameCount());
                }
                decodeFrame(h, frame);
            }
        }
    }

    /**
     * Row and column directions (6 cosines) whose cross product is {@code normal}, for sources that
     * give a slice normal rather than an orientation; only the normal matters for ordering.
     */
    static double[] orientationFor(double[] n) {
        double[] a = Math.abs(n[0]) < 0.9 ? new double[] {1, 0, 0} : new double[] {0, 1, 0};
        double[] u = cross(n, a);
        double len = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        u = new double[] {u[0] / len, u[1] / len, u[2] / len};
        double[] v = cross(n, u);
        return new double[] {u[0], u[1], u[2], v[0], v[1], v[2]};
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private NiftiVolume openNifti(InputFile f) throws SkippedFileException {
        if (!f.equals(cachedFile) || cachedVolume == null) {
            cachedFile = null;
            cachedHeader = null;
            cachedVolume = NiftiReader.open(f.path());
            cachedFile = f;
        }
        return cachedVolume;
    }

    /**
     * NIfTI slice k: scaled values (HU for CT) rounded to int16, then the published steps with
     * slope 1 and intercept 0 (the scaling is already applied).
     */
    private void decodeNifti(NiftiVolume v, int k) {
        width = v.sliceWidth();
        height = v.sliceHeight();
        int n = width * height;
        if (voxels.length < n) {
            voxels = new float[n];
        }
        if (pixels.length < n) {
            pixels = new short[n];
        }
        v.readSlice(k, voxels);
        for (int i = 0; i < n; i++) {
            float x = voxels[i];
            pixels[i] = x != x ? 0 : (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.rint(x)));
        }
        PublishedPreprocessing.toInt16Hounsfield(pixels, n, 1.0, 0.0);
        lutMin = preprocessing.lut(pixels, n, lut);
    }

    /**
     * An image file: 8-bit grey is used as it is (the published scripts hashed their PNGs
     * directly); deeper images go through the min–max mapping (HU windows do not apply: image
     * values are not HU).
     */
    private void decodeImage(InputFile f) throws SkippedFileException {
        cachedFile = null;
        ImageSlice img = ImageSliceReader.read(f.path());
        width = img.width();
        height = img.height();
        int n = width * height;
        if (pixels.length < n) {
            pixels = new short[n];
        }
        int[] src = img.pixels();
        if (img.bitDepth() <= 8 && !img.signed()) {
            for (int i = 0; i < n; i++) {
                pixels[i] = (short) src[i];
            }
            System.arraycopy(IDENTITY, 0, lut, 0, 256);
            lutMin = 0;
            return;
        }
        // Unsigned 16-bit values are shifted into int16 range; min-max mapping is shift-invariant.
        int shift = img.signed() ? 0 : 1 << (img.bitDepth() - 1);
        for (int i = 0; i < n; i++) {
            pixels[i] = (short) (src[i] - shift);
        }
        lutMin = PublishedPreprocessing.minMaxLut(pixels, n, lut);
    }

    /**
     * dHash of the current slice. Rows are mapped to 8 bits on the fly, which is cheaper than
     * {@link #to8Bit()} followed by a hash of the byte image, and gives the same bits.
     */
    public long dhash64() {
        int w = width;
        short[] px = pixels;
        int[] table = lut;
        int min = lutMin;
        return DHash.dhash64((y, dst) -> {
            for (int x = 0, p = y * w; x < w; x++) {
                dst[x] = table[px[p + x] - min];
            }
        }, w, height);
    }

    /** Maps the current slice to 8 bits in {@link #gray()}. */
    public void to8Bit() {
        int n = width * height;
        if (gray.length < n) {
            gray = new byte[n];
        }
        PublishedPreprocessing.to8Bit(pixels, n, lutMin, lut, gray);
    }

    /** 8-bit preprocessed pixels of the current slice after {@link #to8Bit()} (width × height valid). */
    public byte[] gray() {
        return gray;
    }

    /** Width of the current slice. */
    public int width() {
        return width;
    }

    /** Height of the current slice. */
    public int height() {
        return height;
    }

    private DicomHeader open(InputFile f) throws SkippedFileException {
        if (f.equals(cachedFile) && cachedHeader != null) {
            return cachedHeader;
        }
        cachedFile = null;
        cachedVolume = null;
        DicomHeader h = null;
        long size = f.size();
        if (size > streamAbove) {
            // A large (multi-frame) object: parse the header from a prefix and read frames as
            // needed, so memory holds the header and one frame, not the whole file. Whatever the
            // prefix cannot do (a longer header, compressed or deflated data) falls back below.
            int length = read(f, headerPrefix);
            try {
                h = DicomReader.parsePrefix(fileBytes, length, size);
                if (h.encapsulated() && h.bytesInBuffer() < size) {
                    h = null;
                }
            } catch (SkippedFileException e) {
                h = null;
            }
        }
        if (h == null) {
            int length = read(f, Integer.MAX_VALUE);
            h = DicomReader.parse(fileBytes, length);
        }
        if (h.encapsulated()) {
            // Fail early, for the file as a whole, on a syntax we cannot decode at all.
            codecs.forTransferSyntax(h.transferSyntaxUid());
        }
        cachedFile = f;
        cachedHeader = h;
        return h;
    }

    /** Decodes frame k and prepares its lookup table (published preprocessing up to step 5). */
    private void decodeFrame(DicomHeader h, int k) throws SkippedFileException {
        int n = h.rows() * h.columns();
        if (pixels.length < n) {
            pixels = new short[n];
        }
        width = h.columns();
        height = h.rows();
        long frameStart = h.pixelDataOffset() + (long) k * h.frameBytes();
        if (!h.encapsulated() && frameStart + h.frameBytes() > h.bytesInBuffer()) {
            DicomPixels.decodeNative(h, readFrame(cachedFile, frameStart, h.frameBytes()), 0, pixels);
        } else {
            DicomPixels.decodeFrame(h, k, pixels, codecs);
        }
        int padded = preprocessing.usesPadding() ? findPadding(h, n) : 0;
        DicomHeader.Frame fr = h.frame(k);
        PublishedPreprocessing.toInt16Hounsfield(pixels, n, fr.slope(), fr.intercept());
        for (int i = 0; i < padded; i++) {
            pixels[paddingIndex[i]] = Preprocessing.PADDING;
        }
        lutMin = preprocessing.lut(pixels, n, lut);
        if ("MONOCHROME1".equals(h.photometricInterpretation())) {
            // Minimum is white: invert the 8-bit image so that slices compare with MONOCHROME2 ones.
            for (int v = 0; v < lut.length; v++) {
                lut[v] = 255 - lut[v];
            }
        }
    }

    /**
     * Records the pixels whose stored value is the Pixel Padding Value (or within the range it
     * spans with Pixel Padding Range Limit); returns how many.
     */
    private int findPadding(DicomHeader h, int n) {
        Integer pad = h.pixelPaddingValue();
        if (pad == null) {
            return 0;
        }
        Integer limit = h.pixelPaddingRangeLimit();
        int lo = limit == null ? pad : Math.min(pad, limit);
        int hi = limit == null ? pad : Math.max(pad, limit);
        if (paddingIndex.length < n) {
            paddingIndex = new int[n];
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            // Stored values are compared as the header states them: signed or unsigned.
            int v = h.pixelRepresentation() == 1 ? pixels[i] : pixels[i] & 0xFFFF;
            if (v >= lo && v <= hi) {
                paddingIndex[count++] = i;
            }
        }
        return count;
    }

    /** Reads up to {@code max} bytes from the start of {@code f} into {@link #fileBytes}. */
    private int read(InputFile f, int max) throws SkippedFileException {
        try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        "file of " + size + " bytes is larger than the " + MAX_FILE_BYTES + "-byte limit");
            }
            int want = (int) Math.min(size, max);
            if (fileBytes.length < want) {
                fileBytes = new byte[want];
            }
            return readFully(ch, ByteBuffer.wrap(fileBytes, 0, want), 0);
        } catch (IOException e) {
            throw SkippedFileException.unreadable(e);
        }
    }

    /** Reads {@code length} bytes at {@code offset} of {@code f} (one native frame). */
    private byte[] readFrame(InputFile f, long offset, int length) throws SkippedFileException {
        if (frameBytes.length < length) {
            frameBytes = new byte[length];
        }
        try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
            if (readFully(ch, ByteBuffer.wrap(frameBytes, 0, length), offset) < length) {
                throw new SkippedFileException(SkipReason.CORRUPT, "file shrank while it was read");
            }
            return frameBytes;
        } catch (IOException e) {
            throw SkippedFileException.unreadable(e);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        long at = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        return buf.position();
    }
}
