package lessismore.nn;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order (images are NCHW): the data array and its shape.
 * Deliberately minimal: layers index {@link #data} directly and document the shapes they expect.
 */
public final class Tensor {
    /** The elements, row-major; its length is the product of {@link #shape}. */
    public final float[] data;
    private final int[] shape;

    /** A tensor over existing data (not copied); the shape must match its length. */
    public Tensor(float[] data, int... shape) {
        if (numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold "
                    + data.length + " elements");
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A zero-filled tensor of the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[numel(shape)], shape);
    }

    /** The number of elements of a shape (1 for a scalar shape {@code []}). */
    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("too many elements: " + Arrays.toString(shape));
            }
        }
        return (int) n;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return shape[i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /** The same data seen with another shape of equal size (no copy). */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
