package lessismore.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy writer against the format specification (version 1.0), and its reader. */
class NpyTest {
    @Test
    void headerFollowsTheSpecificationAndValuesRoundTrip(@TempDir Path tmp) throws Exception {
        float[] v = {1f, -2.5f, 3e-8f, Float.MAX_VALUE, 0f, -0f};
        Path f = tmp.resolve("a.npy");
        Npy.write(f, v, 3, 2);
        byte[] bytes = Files.readAllBytes(f);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(bytes, 8));
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", header.strip());
        assertEquals('\n', header.charAt(header.length() - 1));
        assertEquals(10 + headerLength + 4 * v.length, bytes.length);
        // Little-endian float32 values: 1.0f is 00 00 80 3f.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(bytes, 10 + headerLength,
                14 + headerLength));
        Npy.Array back = Npy.read(f);
        assertEquals(3, back.rows());
        assertEquals(2, back.cols());
        assertArrayEquals(v, back.data());
    }
}
