package lessismore.io.nifti;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The voxels of one 3D volume in their stored type (int16 stays {@code short}), held in chunks of
 * {@value #CHUNK} elements. Chunks are allocated only as their bytes arrive from the stream, so a
 * header that claims far more data than the file holds costs at most one chunk before the
 * truncation is noticed, and volumes beyond 2^31 voxels need no single huge array.
 */
abstract sealed class VoxelStore {
    static final int CHUNK_BITS = 20;
    static final int CHUNK = 1 << CHUNK_BITS;
    static final long MASK = CHUNK - 1;
    private static final int BUFFER_BYTES = 1 << 16;

    /** Number of voxels. */
    final long length;
    private final int bytesPerVoxel;

    VoxelStore(long length, int bytesPerVoxel) {
        this.length = length;
        this.bytesPerVoxel = bytesPerVoxel;
    }

    static VoxelStore create(NiftiDataType type, long length) {
        return switch (type) {
            case UINT8 -> new Bytes(length, false);
            case INT8 -> new Bytes(length, true);
            case INT16 -> new Shorts(length, true);
            case UINT16 -> new Shorts(length, false);
            case INT32 -> new Ints(length, true);
            case UINT32 -> new Ints(length, false);
            case FLOAT32 -> new Floats(length);
            case FLOAT64 -> new Doubles(length);
        };
    }

    /**
     * Reads {@link #length} voxels from {@code in}.
     *
     * @return the number of voxels read; less than {@link #length} when the stream ended early
     */
    final long fill(InputStream in, ByteOrder order) throws IOException {
        int chunks = (int) ((length + CHUNK - 1) >>> CHUNK_BITS);
        allocateChunkTable(chunks);
        byte[] buf = new byte[BUFFER_BYTES];
        int perRead = BUFFER_BYTES / bytesPerVoxel;
        long done = 0;
        for (int ci = 0; ci < chunks; ci++) {
            int n = (int) Math.min(CHUNK, length - done);
            allocateChunk(ci, n);
            int off = 0;
            while (off < n) {
                int m = Math.min(n - off, perRead);
                int want = m * bytesPerVoxel;
                int got = in.readNBytes(buf, 0, want);
                int whole = got / bytesPerVoxel;
                decode(ci, ByteBuffer.wrap(buf, 0, whole * bytesPerVoxel).order(order), off, whole);
                if (got < want) {
                    return done + off + whole;
                }
                off += m;
            }
            done += n;
        }
        return done;
    }

    abstract void allocateChunkTable(int chunks);

    abstract void allocateChunk(int index, int n);

    abstract void decode(int chunk, ByteBuffer src, int offset, int n);

    /**
     * Writes {@code n} voxels {@code start, start + stride, …} to {@code out[off…]} as float32, with
     * read scaling applied the way nibabel's {@code get_fdata()} does it (in float64: multiply only
     * when the slope is not 1, add only when the intercept is not 0), then rounded to float32.
     */
    abstract void gather(long start, long stride, int n, float[] out, int off, Scaling s);

    /** Read scaling of {@code scl_slope}/{@code scl_inter}; {@link #NONE} when absent. */
    record Scaling(double slope, double inter) {
        static final Scaling NONE = new Scaling(1.0, 0.0);

        boolean identity() {
            return slope == 1.0 && inter == 0.0;
        }

        float apply(double v) {
            if (slope != 1.0) {
                v = v * slope;
            }
            if (inter != 0.0) {
                v = v + inter;
            }
            return (float) v;
        }
    }

    static final class Bytes extends VoxelStore {
        private final boolean signed;
        private byte[][] chunks;

        Bytes(long length, boolean signed) {
            super(length, 1);
            this.signed = signed;
        }

        @Override
        void allocateChunkTable(int n) {
            chunks = new byte[n][];
        }

        @Override
        void allocateChunk(int index, int n) {
            chunks[index] = new byte[n];
        }

        @Override
        void decode(int chunk, ByteBuffer src, int offset, int n) {
            src.get(chunks[chunk], offset, n);
        }

        @Override
        void gather(long start, long stride, int n, float[] out, int off, Scaling s) {
            boolean id = s.identity();
            long idx = start;
            for (int i = 0; i < n; i++, idx += stride) {
                int v = chunks[(int) (idx >>> CHUNK_BITS)][(int) (idx & MASK)];
                if (!signed) {
                    v &= 0xFF;
                }
                out[off + i] = id ? (float) v : s.apply(v);
            }
        }
    }

    static final class Shorts extends VoxelStore {
        private final boolean signed;
        private short[][] chunks;

        Shorts(long length, boolean signed) {
            super(length, 2);
            this.signed = signed;
        }

        @Override
        void allocateChunkTable(int n) {
            chunks = new short[n][];
        }

        @Override
        void allocateChunk(int index, int n) {
            chunks[index] = new short[n];
        }

        @Override
        void decode(int chunk, ByteBuffer src, int offset, int n) {
            src.asShortBuffer().get(chunks[chunk], offset, n);
        }

        @Override
        void gather(long start, long stride, int n, float[] out, int off, Scaling s) {
            boolean id = s.identity();
            long idx = start;
            for (int i = 0; i < n; i++, idx += stride) {
                int v = chunks[(int) (idx >>> CHUNK_BITS)][(int) (idx & MASK)];
                if (!signed) {
                    v &= 0xFFFF;
                }
                out[off + i] = id ? (float) v : s.apply(v);
            }
        }
    }

    static final class Ints extends VoxelStore {
        private final boolean signed;
        private int[][] chunks;

        Ints(long length, boolean signed) {
            super(length, 4);
            this.signed = signed;
        }

        @Override
        void allocateChunkTable(int n) {
            chunks = new int[n][];
        }

        @Override
        void allocateChunk(int index, int n) {
            chunks[index] = new int[n];
        }

        @Override
        void decode(int chunk, ByteBuffer src, int offset, int n) {
            src.asIntBuffer().get(chunks[chunk], offset, n);
        }

        @Override
        void gather(long start, long stride, int n, float[] out, int off, Scaling s) {
            boolean id = s.identity();
            long idx = start;
            for (int i = 0; i < n; i++, idx += stride) {
                int raw = chunks[(int) (idx >>> CHUNK_BITS)][(int) (idx & MASK)];
                // int32 -> float32 directly would round once, like numpy's astype(float32) of the
                // float64 value: both are exact in double first, then one rounding to float.
                double v = signed ? raw : Integer.toUnsignedLong(raw);
                out[off + i] = id ? (float) v : s.apply(v);
            }
        }
    }

    static final class Floats extends VoxelStore {
        private float[][] chunks;

        Floats(long length) {
            super(length, 4);
        }

        @Override
        void allocateChunkTable(int n) {
            chunks = new float[n][];
        }

        @Override
        void allocateChunk(int index, int n) {
            chunks[index] = new float[n];
        }

        @Override
        void decode(int chunk, ByteBuffer src, int offset, int n) {
            src.asFloatBuffer().get(chunks[chunk], offset, n);
        }

        @Override
        void gather(long start, long stride, int n, float[] out, int off, Scaling s) {
            boolean id = s.identity();
            long idx = start;
            for (int i = 0; i < n; i++, idx += stride) {
                float v = chunks[(int) (idx >>> CHUNK_BITS)][(int) (idx & MASK)];
                out[off + i] = id ? v : s.apply(v);
            }
        }
    }

    static final class Doubles extends VoxelStore {
        private double[][] chunks;

        Doubles(long length) {
            super(length, 8);
        }

        @Override
        void allocateChunkTable(int n) {
            chunks = new double[n][];
        }

        @Override
        void allocateChunk(int index, int n) {
            chunks[index] = new double[n];
        }

        @Override
        void decode(int chunk, ByteBuffer src, int offset, int n) {
            src.asDoubleBuffer().get(chunks[chunk], offset, n);
        }

        @Override
        void gather(long start, long stride, int n, float[] out, int off, Scaling s) {
            boolean id = s.identity();
            long idx = start;
            for (int i = 0; i < n; i++, idx += stride) {
                double v = chunks[(int) (idx >>> CHUNK_BITS)][(int) (idx & MASK)];
                out[off + i] = id ? (float) v : s.apply(v);
            }
        }
    }
}
