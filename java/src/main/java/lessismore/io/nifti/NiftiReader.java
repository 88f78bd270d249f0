package lessismore.io.nifti;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;

/**
 * Reads NIfTI-1 and NIfTI-2 volumes ({@code .nii}, {@code .nii.gz}, and {@code .hdr}/{@code .img}
 * pairs, each part optionally gzipped) into a {@link NiftiVolume}.
 *
 * <p>What is accepted: both header versions (348 and 540 bytes) in either byte order (told apart by
 * {@code sizeof_hdr}); gzip detected by its magic bytes, not the file name, and decompressed as a
 * stream; the scalar types of {@link NiftiDataType}; {@code scl_slope}/{@code scl_inter} (a slope of
 * 0 or a non-finite slope means no scaling, as the spec says); {@code vox_offset}; 1D to 3D data.
 * <b>4D and higher</b>: the first 3D volume is read and a {@link NiftiVolume#notes() note} says so
 * (CT is 3D; a 4D file is usually a time series of the same anatomy). Header extensions are skipped.
 *
 * <p>Memory: voxels are kept in their stored type (int16 as {@code short}), 2 bytes per voxel for
 * typical CT, read once from the stream; the file is never held twice. Volumes whose first 3D
 * volume has more than {@code maxDataBytes} bytes ({@link #DEFAULT_MAX_DATA_BYTES} by default) are
 * refused before anything is allocated.
 *
 * <p>Every problem ends in one {@link SkippedFileException} with a one-line message:
 * {@link SkipReason#UNREADABLE} (cannot open or read), {@link SkipReason#CORRUPT} (not a NIfTI
 * header, impossible dimensions or offsets, truncated data or gzip stream),
 * {@link SkipReason#UNSUPPORTED} (valid but not handled: Analyze 7.5 without NIfTI magic, RGB,
 * complex and 64-bit types, over the memory limit). Every dimension and length from the header is
 * checked (overflow-safe) against the limit and, for uncompressed data, the file size before any
 * allocation; for gzip data the voxel arrays grow only as decompressed bytes arrive.
 */
public final class NiftiReader {
    /** Default bound on the bytes of voxel data held in memory: 1 GiB (512×512×2048 int16). */
    public static final long DEFAULT_MAX_DATA_BYTES = 1L << 30;

    private static final int NIFTI1_HEADER = 348;
    private static final int NIFTI2_HEADER = 540;
    /** Largest expansion DEFLATE can achieve is about 1032:1; a little margin on top. */
    private static final long MAX_GZIP_RATIO = 1100;

    private NiftiReader() {
    }

    /** {@link #open(Path, long)} with {@link #DEFAULT_MAX_DATA_BYTES}. */
    public static NiftiVolume open(Path path) throws SkippedFileException {
        return open(path, DEFAULT_MAX_DATA_BYTES);
    }

    /**
     * Reads the header and the voxels of the first 3D volume.
     *
     * @param path         a {@code .nii}, {@code .nii.gz}, {@code .hdr[.gz]} or {@code .img[.gz]} file
     * @param maxDataBytes the most bytes of voxel data to hold in memory
     * @throws SkippedFileException for any file that cannot be used, with a one-line reason
     */
    public static NiftiVolume open(Path path, long maxDataBytes) throws SkippedFileException {
        try {
            return read(path, maxDataBytes);
        } catch (ZipException | EOFException e) {
            throw new SkippedFileException(SkipReason.CORRUPT, "damaged gzip stream or file: " + SkippedFileException.oneLine(e));
        } catch (IOException e) {
            throw SkippedFileException.unreadable(e);
        }
    }

    /** Parsed header fields, version independent. */
    private static final class Header {
        int version;
        boolean bigEndian;
        boolean pair;
        int headerSize;
        long[] dim = new long[8];
        int datatype;
        double[] pixdim = new double[8];
        double voxOffset;
        double slope;
        double inter;
        int qformCode;
        int sformCode;
        double[] quatern = new double[6];
        double[][] srow = new double[3][4];
    }

    private static NiftiVolume read(Path path, long maxDataBytes) throws IOException, SkippedFileException {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        Path headerPath = path;
        Path dataPath = null;
        if (name.endsWith(".img") || name.endsWith(".img.gz")) {
            String base = path.getFileName().toString();
            base = base.substring(0, base.length() - (name.endsWith(".gz") ? 7 : 4));
            headerPath = firstExisting(path, base + ".hdr", base + ".hdr.gz", base + ".HDR");
            if (headerPath == null) {
                throw new SkippedFileException(SkipReason.CORRUPT, "image file of a .hdr/.img pair without its .hdr");
            }
            dataPath = path;
        }
        requireRegular(headerPath);
        try (InputStream in = openStream(headerPath)) {
            List<String> notes = new ArrayList<>();
            Header h = readHeader(in);
            if (h.pair && dataPath == null) {
                String base = headerPath.getFileName().toString();
                String lower = base.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".hdr") || lower.endsWith(".hdr.gz")) {
                    base = base.substring(0, base.length() - (lower.endsWith(".gz") ? 7 : 4));
                    dataPath = firstExisting(headerPath, base + ".img", base + ".img.gz", base + ".IMG");
                }
                if (dataPath == null) {
                    throw new SkippedFileException(SkipReason.CORRUPT,
                            "header of a .hdr/.img pair (magic ni" + h.version + ") without its .img file");
                }
            } else if (!h.pair && dataPath != null) {
                throw new SkippedFileException(SkipReason.CORRUPT,
                        "the .hdr beside this .img is a single-file NIfTI header (magic n+" + h.version + ")");
            }

            // Dimensions.
            long d0 = h.dim[0];
            if (d0 < 1 || d0 > 7) {
                throw new SkippedFileException(SkipReason.CORRUPT, "dim[0] = " + d0 + " is not 1..7");
            }
            int[] dims = {1, 1, 1};
            for (int i = 1; i <= 3 && i <= d0; i++) {
                if (h.dim[i] < 1) {
                    throw new SkippedFileException(SkipReason.CORRUPT, "dim[" + i + "] = " + h.dim[i] + " is not positive");
                }
                if (h.dim[i] > Integer.MAX_VALUE - 8) {
                    throw new SkippedFileException(SkipReason.UNSUPPORTED, "dim[" + i + "] = " + h.dim[i] + " is too large");
                }
                dims[i - 1] = (int) h.dim[i];
            }
            long volumes = 1;
            for (int i = 4; i <= d0; i++) {
                if (h.dim[i] < 0) {
                    throw new SkippedFileException(SkipReason.CORRUPT, "dim[" + i + "] = " + h.dim[i] + " is negative");
                }
                volumes = h.dim[i] == 0 ? volumes : saturatingMultiply(volumes, h.dim[i]);
            }
            if (volumes > 1) {
                notes.add(d0 + "D data with " + (volumes == Long.MAX_VALUE ? "too many" : String.valueOf(volumes))
                        + " 3D volumes: only the first is read");
            }
            long voxels;
            try {
                voxels = Math.multiplyExact(Math.multiplyExact((long) dims[0], dims[1]), dims[2]);
            } catch (ArithmeticException e) {
                throw new SkippedFileException(SkipReason.CORRUPT,
                        "dimensions " + dims[0] + "x" + dims[1] + "x" + dims[2] + " overflow");
            }
            int[] sorted = dims.clone();
            java.util.Arrays.sort(sorted);
            if ((long) sorted[0] * sorted[1] > Integer.MAX_VALUE - 8) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        "slices of " + sorted[0] + "x" + sorted[1] + " voxels are too large");
            }

            // Type.
            NiftiDataType type = NiftiDataType.ofCode(h.datatype);
            if (type == null) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        "unsupported NIfTI datatype " + NiftiDataType.describeUnsupported(h.datatype)
                                + "; supported: uint8, int8, int16, uint16, int32, uint32, float32, float64");
            }
            long dataBytes;
            try {
                dataBytes = Math.multiplyExact(voxels, type.bytesPerVoxel());
            } catch (ArithmeticException e) {
                throw new SkippedFileException(SkipReason.CORRUPT, "data size of " + voxels + " voxels overflows");
            }

            // Scaling: slope 0 or not finite means none; a valid slope needs a finite intercept.
            VoxelStore.Scaling scaling = VoxelStore.Scaling.NONE;
            if (h.slope != 0 && Double.isFinite(h.slope)) {
                if (!Double.isFinite(h.inter)) {
                    throw new SkippedFileException(SkipReason.CORRUPT,
                            "scl_slope " + h.slope + " with a non-finite scl_inter " + h.inter);
                }
                scaling = new VoxelStore.Scaling(h.slope, h.inter);
            }

            // Offset of the voxels.
            if (!Double.isFinite(h.voxOffset) || h.voxOffset < 0 || h.voxOffset > 0x1p62) {
                throw new SkippedFileException(SkipReason.CORRUPT, "vox_offset " + h.voxOffset + " is invalid");
            }
            long offset = (long) h.voxOffset;
            if (!h.pair && offset < h.headerSize + 4L) {
                if (offset != 0) {
                    notes.add("vox_offset " + offset + " is inside the header; using " + (h.headerSize + 4));
                }
                offset = h.headerSize + 4L;
            }

            double[][] affine = new double[4][];
            String source = chooseAffine(h, affine, notes);

            if (dataBytes > maxDataBytes) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED, "volume of " + dims[0] + "x" + dims[1] + "x"
                        + dims[2] + " " + type.label() + " needs " + dataBytes + " bytes, over the in-memory limit of "
                        + maxDataBytes);
            }

            VoxelStore store = VoxelStore.create(type, voxels);
            ByteOrder order = h.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (h.pair) {
                requireRegular(dataPath);
                try (InputStream din = openStream(dataPath)) {
                    checkSize(dataPath, din, offset, dataBytes);
                    skipTo(din, 0, offset);
                    fill(store, din, order, dataBytes, type);
                }
            } else {
                checkSize(headerPath, in, offset, dataBytes);
                skipTo(in, h.headerSize, offset);
                fill(store, in, order, dataBytes, type);
            }
            return new NiftiVolume(h.version, h.bigEndian, type, dims, affine, source, scaling, store, notes);
        }
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi != 0 || lo < 0) ? Long.MAX_VALUE : lo;
    }

    private static Path firstExisting(Path sibling, String... names) {
        for (String n : names) {
            Path p = sibling.resolveSibling(n);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    private static void requireRegular(Path p) throws SkippedFileException, NoSuchFileException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        if (!Files.isRegularFile(p)) {
            throw new SkippedFileException(SkipReason.UNREADABLE, "not a regular file: " + p);
        }
    }

    /** Marker so that size checks know whether the stream is the raw file. */
    private static final class Plain extends BufferedInputStream {
        Plain(InputStream in) {
            super(in, 1 << 16);
        }
    }

    private static InputStream openStream(Path p) throws IOException {
        InputStream raw = Files.newInputStream(p);
        try {
            BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
            b.mark(2);
            int m0 = b.read();
            int m1 = b.read();
            b.reset();
            if (m0 == 0x1f && m1 == 0x8b) {
                return new GZIPInputStream(b, 1 << 16);
            }
            return new Plain(b);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static void checkSize(Path p, InputStream in, long offset, long dataBytes)
            throws IOException, SkippedFileException {
        long size = Files.size(p);
        long needed = offset + dataBytes;
        if (in instanceof Plain) {
            if (offset > size) {
                throw new SkippedFileException(SkipReason.CORRUPT,
                        "vox_offset " + offset + " is past the end of the file (" + size + " bytes)");
            }
            if (needed > size) {
                throw new SkippedFileException(SkipReason.CORRUPT, "truncated voxel data: expected " + dataBytes
                        + " bytes at offset " + offset + ", file has " + (size - offset));
            }
        } else if (size < Long.MAX_VALUE / MAX_GZIP_RATIO && needed > size * MAX_GZIP_RATIO + 4096) {
            throw new SkippedFileException(SkipReason.CORRUPT, "header claims " + needed
                    + " bytes of data, more than a gzip file of " + size + " bytes can hold");
        }
    }

    private static void skipTo(InputStream in, long position, long offset) throws IOException, SkippedFileException {
        long toSkip = offset - position;
        byte[] buf = new byte[8192];
        while (toSkip > 0) {
            int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, toSkip));
            if (n == 0) {
                throw new SkippedFileException(SkipReason.CORRUPT, "vox_offset " + offset + " is past the end of the data");
            }
            toSkip -= n;
        }
    }

    private static void fill(VoxelStore store, InputStream in, ByteOrder order, long dataBytes, NiftiDataType type)
            throws IOException, SkippedFileException {
        long got = store.fill(in, order);
        if (got < store.length) {
            throw new SkippedFileException(SkipReason.CORRUPT, "truncated voxel data: expected " + dataBytes
                    + " bytes, found " + got * type.bytesPerVoxel());
        }
    }

    private static Header readHeader(InputStream in) throws IOException, SkippedFileException {
        byte[] first = in.readNBytes(4);
        if (first.length < 4) {
            throw new SkippedFileException(SkipReason.CORRUPT, "not a NIfTI file: only " + first.length + " bytes");
        }
        int le = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = ByteBuffer.wrap(first).order(ByteOrder.BIG_ENDIAN).getInt();
        Header h = new Header();
        if (le == NIFTI1_HEADER || be == NIFTI1_HEADER) {
            h.version = 1;
            h.headerSize = NIFTI1_HEADER;
            h.bigEndian = le != NIFTI1_HEADER;
        } else if (le == NIFTI2_HEADER || be == NIFTI2_HEADER) {
            h.version = 2;
            h.headerSize = NIFTI2_HEADER;
            h.bigEndian = le != NIFTI2_HEADER;
        } else {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "not a NIfTI file: sizeof_hdr is " + le + " (expected 348 or 540)");
        }
        byte[] bytes = new byte[h.headerSize];
        System.arraycopy(first, 0, bytes, 0, 4);
        int n = in.readNBytes(bytes, 4, h.headerSize - 4);
        if (n < h.headerSize - 4) {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "truncated header: " + (n + 4) + " of " + h.headerSize + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(h.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (h.version == 1) {
            parse1(b, bytes, h);
        } else {
            parse2(b, bytes, h);
        }
        return h;
    }

    private static void checkMagic(byte[] bytes, int at, Header h) throws SkippedFileException {
        byte c = (byte) ('0' + h.version);
        boolean single = bytes[at] == 'n' && bytes[at + 1] == '+' && bytes[at + 2] == c && bytes[at + 3] == 0;
        boolean pair = bytes[at] == 'n' && bytes[at + 1] == 'i' && bytes[at + 2] == c && bytes[at + 3] == 0;
        if (!single && !pair) {
            String shown = new String(bytes, at, 4, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?");
            if (h.version == 1) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        "no NIfTI-1 magic (found \"" + shown + "\"): an Analyze 7.5 header, not read");
            }
            throw new SkippedFileException(SkipReason.CORRUPT, "bad NIfTI-2 magic \"" + shown + "\"");
        }
        h.pair = pair;
    }

    private static void parse1(ByteBuffer b, byte[] bytes, Header h) throws SkippedFileException {
        checkMagic(bytes, 344, h);
        for (int i = 0; i < 8; i++) {
            h.dim[i] = b.getShort(40 + 2 * i);
            h.pixdim[i] = b.getFloat(76 + 4 * i);
        }
        h.datatype = b.getShort(70);
        h.voxOffset = b.getFloat(108);
        h.slope = b.getFloat(112);
        h.inter = b.getFloat(116);
        h.qformCode = b.getShort(252);
        h.sformCode = b.getShort(254);
        for (int i = 0; i < 6; i++) {
            h.quatern[i] = b.getFloat(256 + 4 * i);
        }
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                h.srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
            }
        }
    }

    private static void parse2(ByteBuffer b, byte[] bytes, Header h) throws SkippedFileException {
        checkMagic(bytes, 4, h);
        h.datatype = b.getShort(12);
        for (int i = 0; i < 8; i++) {
            h.dim[i] = b.getLong(16 + 8 * i);
            h.pixdim[i] = b.getDouble(104 + 8 * i);
        }
        long off = b.getLong(168);
        h.voxOffset = off < 0 ? -1 : (double) off;
        h.slope = b.getDouble(176);
        h.inter = b.getDouble(184);
        h.qformCode = b.getInt(344);
        h.sformCode = b.getInt(348);
        for (int i = 0; i < 6; i++) {
            h.quatern[i] = b.getDouble(352 + 8 * i);
        }
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                h.srow[r][c] = b.getDouble(400 + 32 * r + 8 * c);
            }
        }
    }

    /** Fills {@code out} (4 rows) with sform, qform or pixdim affine; returns its name. */
    private static String chooseAffine(Header h, double[][] out, List<String> notes) {
        if (h.sformCode > 0) {
            double[][] s = {h.srow[0].clone(), h.srow[1].clone(), h.srow[2].clone(), {0, 0, 0, 1}};
            if (usable(s)) {
                copy(s, out);
                return "sform";
            }
            notes.add("sform is singular or not finite; ignored");
        }
        if (h.qformCode > 0) {
            double[][] q = qform(h, notes);
            if (q != null && usable(q)) {
                copy(q, out);
                return "qform";
            }
            notes.add("qform is singular or not finite; ignored");
        }
        double[][] p = {{spacing(h.pixdim[1], notes), 0, 0, 0}, {0, spacing(h.pixdim[2], notes), 0, 0},
                {0, 0, spacing(h.pixdim[3], notes), 0}, {0, 0, 0, 1}};
        copy(p, out);
        return "pixdim";
    }

    private static void copy(double[][] from, double[][] to) {
        for (int r = 0; r < 4; r++) {
            to[r] = from[r];
        }
    }

    private static double spacing(double d, List<String> notes) {
        if (Double.isFinite(d) && d > 0) {
            return d;
        }
        notes.add("voxel spacing " + d + " is not positive; using 1");
        return 1.0;
    }

    /** The qform of the spec: rotation from the quaternion (b, c, d), qfac from pixdim[0]. */
    private static double[][] qform(Header h, List<String> notes) {
        double b = h.quatern[0];
        double c = h.quatern[1];
        double d = h.quatern[2];
        if (!(Double.isFinite(b) && Double.isFinite(c) && Double.isFinite(d))) {
            return null;
        }
        double a = 1.0 - (b * b + c * c + d * d);
        if (a < 1e-7) {
            // (b, c, d) is (nearly) a unit vector: a 180-degree rotation; normalize it.
            double s = 1.0 / Math.sqrt(b * b + c * c + d * d);
            b *= s;
            c *= s;
            d *= s;
            a = 0.0;
        } else {
            a = Math.sqrt(a);
        }
        double[][] r = {
            {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
            {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
            {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b},
        };
        double qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
        double[] zoom = {spacing(h.pixdim[1], notes), spacing(h.pixdim[2], notes), qfac * spacing(h.pixdim[3], notes)};
        double[][] m = new double[4][4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i][j] = r[i][j] * zoom[j];
            }
            m[i][3] = h.quatern[3 + i];
        }
        m[3][3] = 1;
        return m;
    }

    /** Finite, with non-zero columns that are not (nearly) linearly dependent. */
    private static boolean usable(double[][] m) {
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                if (!Double.isFinite(m[r][c])) {
                    return false;
                }
            }
        }
        double[] norms = new double[3];
        for (int c = 0; c < 3; c++) {
            norms[c] = Math.sqrt(m[0][c] * m[0][c] + m[1][c] * m[1][c] + m[2][c] * m[2][c]);
            if (!(norms[c] > 0) || !Double.isFinite(norms[c])) {
                return false;
            }
        }
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        return Double.isFinite(det) && Math.abs(det) > 1e-6 * norms[0] * norms[1] * norms[2];
    }
}
