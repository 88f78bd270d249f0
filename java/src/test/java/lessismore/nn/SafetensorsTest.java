package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Safetensors round trips, state-dict save and load, and refusal of malformed (untrusted) files. */
class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTrip() throws IOException {
        Map<String, Tensor> floats = new LinkedHashMap<>();
        floats.put("a.weight", new Tensor(new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, 0f, -0f}, 2, 3));
        floats.put("empty", Tensor.zeros(0, 4));
        Map<String, Safetensors.LongTensor> longs = Map.of("n", Safetensors.LongTensor.scalar(1L << 40));
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, new Safetensors.Contents(floats, longs, Map.of("format", "pt")));
        Safetensors.Contents back = Safetensors.read(file);
        assertArrayEquals(floats.get("a.weight").data, back.floats().get("a.weight").data);
        assertArrayEquals(new int[] {2, 3}, back.floats().get("a.weight").shape());
        assertArrayEquals(new int[] {0, 4}, back.floats().get("empty").shape());
        assertArrayEquals(new long[] {1L << 40}, back.longs().get("n").data());
        assertArrayEquals(new int[0], back.longs().get("n").shape());
        assertEquals(Map.of("format", "pt"), back.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded so the data is 8-byte aligned");
    }

    @Test
    void stateDictSaveAndLoad() throws IOException {
        Sequential model = model(1);
        Tensor x = Tensor.zeros(2, 4, 3, 3);
        for (int i = 0; i < x.numel(); i++) {
            x.data[i] = (float) Math.sin(i);
        }
        model.forward(x); // moves running statistics and counters away from their initial values
        Path file = dir.resolve("model.safetensors");
        StateDict.of(model).save(file);
        StateDict loaded = StateDict.of(model(2));
        loaded.load(file, true);
        StateDict original = StateDict.of(model);
        for (String key : original.floats().keySet()) {
            assertArrayEquals(original.floats().get(key).data, loaded.floats().get(key).data, key);
        }
        assertEquals(1L, loaded.counters().get("block.bn1.num_batches_tracked")[0]);
        // A model with another shape refuses the file.
        StateDict wider = StateDict.of(new Sequential().add("head", SimclrHead.create(4, 16, 3, true, new SplittableRandom(5))));
        assertThrows(IOException.class, () -> wider.load(file, false));
    }

    private static Sequential model(long seed) {
        return new Sequential()
                .add("block", new ResidualBlock(ResNet.basicBranch(4, 4, 1, new SplittableRandom(seed)), null))
                .add("pool", new GlobalAvgPool())
                .add("flatten", new Flatten())
                .add("head", SimclrHead.create(4, 8, 3, true, new SplittableRandom(seed)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", // size does not match the shape
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", // beyond the end of the file
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", // gap at the start
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
        "{\"x\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", // unsupported dtype
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}",
        "{\"__metadata__\":{\"a\":1},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} junk",
        "\"just a string\"",
    })
    void refusesMalformedHeaders(String header) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, file(header, 8));
        assertThrows(IOException.class, () -> Safetensors.read(file));
    }

    @Test
    void refusesBadHeaderLengths() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, new byte[5]);
        assertThrows(IOException.class, () -> Safetensors.read(file));
        for (long length : new long[] {-1, 0, 1L << 40, 1000}) {
            byte[] bytes = file("{}", 0);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
            Files.write(file, bytes);
            assertThrows(IOException.class, () -> Safetensors.read(file), "length " + length);
        }
    }

    @Test
    void acceptsAValidHandWrittenFile() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        Files.write(file, file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ", 8));
        assertArrayEquals(new int[] {2}, Safetensors.read(file).floats().get("x").shape());
    }

    /** A file with the given header and {@code dataBytes} zero bytes of data. */
    private static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        return buf.array();
    }
}
