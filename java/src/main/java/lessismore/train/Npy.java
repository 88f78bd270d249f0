package lessismore.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, version 1.0, for 2-D float32 arrays: the magic {@code \x93NUMPY},
 * version bytes 1 0, a little-endian uint16 header length, an ASCII dict literal
 * ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }}) padded with spaces and a
 * newline so the data starts at a multiple of 64 bytes, then the values row-major, little-endian.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)");

    private Npy() {
    }

    /** Writes {@code data} as a (rows, cols) float32 array. */
    public static void write(Path file, float[] data, int rows, int cols) throws IOException {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(data.length + " values are not " + rows + " × " + cols);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(total + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        buf.asFloatBuffer().put(data);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(buf.array());
        }
    }

    /** A 2-D float32 array read back: its shape and values. */
    public record Array(int rows, int cols, float[] data) {
    }

    /** Reads a file written by {@link #write} (C order, little-endian float32, version 1.0). */
    public static Array read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC) || buf.get() != 1 || buf.get() != 0) {
            throw new IOException(file + ": not a version 1.0 .npy file");
        }
        int length = Short.toUnsignedInt(buf.getShort());
        byte[] header = new byte[length];
        buf.get(header);
        String dict = new String(header, StandardCharsets.US_ASCII);
        Matcher m = SHAPE.matcher(dict);
        if (!dict.contains("'descr': '<f4'") || !dict.contains("'fortran_order': False") || !m.find()) {
            throw new IOException(file + ": not a C-order float32 matrix: " + dict.strip());
        }
        int rows = Integer.parseInt(m.group(1));
        int cols = Integer.parseInt(m.group(2));
        float[] data = new float[rows * cols];
        buf.asFloatBuffer().get(data);
        return new Array(rows, cols, data);
    }
}
