package lessismore.io.nifti;

import java.util.List;
import java.util.Objects;

/**
 * One NIfTI volume held in memory in its stored voxel type, seen as a stack of axial slices.
 *
 * <h2>Axis and order convention</h2>
 *
 * <ul>
 *   <li>World coordinates are NIfTI's RAS+ millimetres: +x = Right, +y = Anterior, +z = Superior
 *       (DICOM's LPS with x and y negated), the space of the voxel-to-world affine.
 *   <li>The affine is the sform when {@code sform_code > 0}, else the qform (quaternion, with qfac
 *       from {@code pixdim[0]}) when {@code qform_code > 0}, else {@code diag(pixdim[1..3])} with a
 *       zero origin (the spec's "method 1"). A transform that is not finite or is singular is
 *       skipped in favour of the next one, with a {@link #notes() note}. The qform rotation is
 *       the spec's (nifti1_io's) in float64; nibabel derives it in float32 and may differ by a
 *       few 1e-4 in direction for near-180-degree quaternions. The pixdim fallback is not
 *       nibabel's (which uses Analyze's centred, x-flipped affine): both put slices along k.
 *   <li>The <b>slice axis</b> is the voxel axis (0 = i, 1 = j, 2 = k) whose world direction has
 *       the largest absolute cosine with +z (superior); on an exact tie the later axis wins.
 *   <li>Slices are the planes perpendicular to that axis, <b>ordered by their position along +z</b>:
 *       slice 0 is the most inferior. When the slice axis points inferior in the affine, slice
 *       {@code k} is stored plane {@code n - 1 - k}; see {@link #storedIndex(int)}.
 *   <li>Inside a slice, the two remaining voxel axes keep their stored order and direction (no
 *       flip): with {@code u < v} the remaining axes, the <b>column</b> index runs along {@code u}
 *       ({@link #sliceWidth()} = dim of {@code u}) and the <b>row</b> index along {@code v}
 *       ({@link #sliceHeight()} = dim of {@code v}); {@link #readSlice} fills row-major, column
 *       fastest: {@code out[row * width + col]}. For a volume stored axially (slice axis k) this is
 *       the familiar i-fastest plane.
 *   <li>{@link #slicePosition(int)} is the world position of the slice's first voxel (row 0,
 *       column 0); {@link #sliceNormal()} is the unit vector along the slice axis, signed to point
 *       superior, so positions projected on it increase with the slice index.
 * </ul>
 *
 * <p>Instances are immutable after {@link NiftiReader#open}; {@link #readSlice} may be called from
 * several threads at once.
 */
public final class NiftiVolume {
    private final int version;
    private final boolean bigEndian;
    private final NiftiDataType dataType;
    private final int[] dims;
    private final double[][] affine;
    private final String affineSource;
    private final VoxelStore.Scaling scaling;
    private final VoxelStore store;
    private final List<String> notes;

    private final int sliceAxis;
    private final int colAxis;
    private final int rowAxis;
    private final boolean reversed;
    private final long[] strides;
    private final double[] normal;

    NiftiVolume(
            int version,
            boolean bigEndian,
            NiftiDataType dataType,
            int[] dims,
            double[][] affine,
            String affineSource,
            VoxelStore.Scaling scaling,
            VoxelStore store,
            List<String> notes) {
        this.version = version;
        this.bigEndian = bigEndian;
        this.dataType = dataType;
        this.dims = dims.clone();
        this.affine = affine;
        this.affineSource = affineSource;
        this.scaling = scaling;
        this.store = store;
        this.notes = List.copyOf(notes);
        this.strides = new long[] {1, dims[0], (long) dims[0] * dims[1]};

        int best = 0;
        double bestCos = -1;
        for (int a = 0; a < 3; a++) {
            double len = Math.sqrt(affine[0][a] * affine[0][a] + affine[1][a] * affine[1][a] + affine[2][a] * affine[2][a]);
            double cos = Math.abs(affine[2][a]) / len;
            if (cos >= bestCos) {
                bestCos = cos;
                best = a;
            }
        }
        this.sliceAxis = best;
        this.colAxis = best == 0 ? 1 : 0;
        this.rowAxis = best == 2 ? 1 : 2;
        this.reversed = affine[2][best] < 0;
        double len = Math.sqrt(affine[0][best] * affine[0][best] + affine[1][best] * affine[1][best] + affine[2][best] * affine[2][best]);
        double sign = reversed ? -1.0 : 1.0;
        this.normal = new double[] {sign * affine[0][best] / len, sign * affine[1][best] / len, sign * affine[2][best] / len};
    }

    /** 1 for NIfTI-1, 2 for NIfTI-2. */
    public int version() {
        return version;
    }

    /** Whether the file was big-endian. */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** The stored voxel type. */
    public NiftiDataType dataType() {
        return dataType;
    }

    /** {@code {nx, ny, nz}} of the (first) 3D volume; missing dimensions are 1. */
    public int[] shape() {
        return dims.clone();
    }

    /** The 4×4 voxel-to-world (RAS+ mm) affine used, a copy. */
    public double[][] affine() {
        double[][] a = new double[4][];
        for (int r = 0; r < 4; r++) {
            a[r] = affine[r].clone();
        }
        return a;
    }

    /** Where the affine came from: {@code "sform"}, {@code "qform"} or {@code "pixdim"}. */
    public String affineSource() {
        return affineSource;
    }

    /** The effective read scaling {@code {slope, intercept}}; {@code {1, 0}} when the header has none. */
    public double[] scaling() {
        return new double[] {scaling.slope(), scaling.inter()};
    }

    /** Things worth telling the user that did not stop the read (4D data, fixed-up fields), one line each. */
    public List<String> notes() {
        return notes;
    }

    /** The voxel axis the slices are perpendicular to: 0 (i), 1 (j) or 2 (k). */
    public int sliceAxis() {
        return sliceAxis;
    }

    /** Whether slice 0 is the last stored plane (the slice axis points inferior in the affine). */
    public boolean reversed() {
        return reversed;
    }

    /** Number of slices (the dimension of the slice axis). */
    public int sliceCount() {
        return dims[sliceAxis];
    }

    /** Columns of a slice: the dimension of the lower remaining voxel axis. */
    public int sliceWidth() {
        return dims[colAxis];
    }

    /** Rows of a slice: the dimension of the higher remaining voxel axis. */
    public int sliceHeight() {
        return dims[rowAxis];
    }

    /** The index along the slice axis, in the file, of slice {@code k}. */
    public int storedIndex(int k) {
        Objects.checkIndex(k, sliceCount());
        return reversed ? sliceCount() - 1 - k : k;
    }

    /** World position (RAS+ mm) of the first voxel (row 0, column 0) of slice {@code k}. */
    public double[] slicePosition(int k) {
        int s = storedIndex(k);
        double[] p = new double[3];
        for (int r = 0; r < 3; r++) {
            p[r] = affine[r][sliceAxis] * s + affine[r][3];
        }
        return p;
    }

    /** Unit normal of slice {@code k} (the same for every slice), pointing superior. */
    public double[] sliceNormal(int k) {
        Objects.checkIndex(k, sliceCount());
        return normal.clone();
    }

    /** Unit slice normal (RAS+), pointing superior: the direction of increasing slice index. */
    public double[] sliceNormal() {
        return normal.clone();
    }

    /**
     * Writes slice {@code k} into {@code out[0, width × height)}, row-major (see the class comment),
     * as float32 values with {@code scl_slope}/{@code scl_inter} applied (Hounsfield units for CT).
     * Scaling is computed in float64 and rounded once to float32, so each value equals numpy's
     * {@code float32(img.get_fdata())}. NaN and infinities of float data pass through.
     *
     * @throws IndexOutOfBoundsException when {@code k} is not a slice index
     * @throws IllegalArgumentException when {@code out} is shorter than a slice
     */
    public void readSlice(int k, float[] out) {
        int s = storedIndex(k);
        int w = sliceWidth();
        int h = sliceHeight();
        if (out.length < (long) w * h) {
            throw new IllegalArgumentException("slice buffer holds " + out.length + " values, needs " + ((long) w * h));
        }
        long base = s * strides[sliceAxis];
        long colStride = strides[colAxis];
        long rowStride = strides[rowAxis];
        for (int r = 0; r < h; r++) {
            store.gather(base + r * rowStride, colStride, w, out, r * w, scaling);
        }
    }

    @Override
    public String toString() {
        return "NiftiVolume[NIfTI-" + version + (bigEndian ? " BE " : " LE ") + dataType.label() + " "
                + dims[0] + "x" + dims[1] + "x" + dims[2] + ", " + affineSource + ", slice axis " + "ijk".charAt(sliceAxis)
                + (reversed ? " reversed" : "") + "]";
    }
}
