package lessismore.nn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lessismore.output.Json;

/**
 * Reads and writes the safetensors format (F32 and I64 tensors): an 8-byte little-endian header
 * length N, N bytes of JSON mapping each name to {@code {"dtype", "shape", "data_offsets": [begin,
 * end]}} (offsets relative to the data section) plus an optional {@code "__metadata__"} map of
 * strings, then the raw little-endian data.
 *
 * <p>Files are untrusted: the header's size, syntax, dtypes, shapes and offsets are all checked
 * (offsets inside the file, sizes matching the shapes, tensors neither overlapping nor leaving
 * gaps) before any data is read, and violations are {@link IOException}s.
 */
public final class Safetensors {
    /** Headers above this size are refused (the reference implementation's limit too). */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** An int64 tensor. */
    public record LongTensor(long[] data, int[] shape) {
        /** Checks that the shape holds the data. */
        public LongTensor {
            if (Tensor.numel(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold "
                        + data.length + " elements");
            }
        }

        /** A 0-dimensional tensor holding {@code value}, as torch stores num_batches_tracked. */
        public static LongTensor scalar(long value) {
            return new LongTensor(new long[] {value}, new int[0]);
        }
    }

    /** The tensors of a file by name, and its string metadata. */
    public record Contents(Map<String, Tensor> floats, Map<String, LongTensor> longs,
                           Map<String, String> metadata) {
    }

    /** Writes {@code contents} to {@code file}, replacing it. */
    public static void write(Path file, Contents contents) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!contents.metadata().isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(contents.metadata()));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : contents.floats().entrySet()) {
            offset = describe(header, e.getKey(), "F32", e.getValue().shape(), offset, 4L * e.getValue().numel());
        }
        for (Map.Entry<String, LongTensor> e : contents.longs().entrySet()) {
            offset = describe(header, e.getKey(), "I64", e.getValue().shape(), offset, 8L * e.getValue().data().length);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head.flip());
            for (Tensor t : contents.floats().values()) {
                ByteBuffer buf = ByteBuffer.allocate(4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(t.data);
                writeFully(ch, buf);
            }
            for (LongTensor t : contents.longs().values()) {
                ByteBuffer buf = ByteBuffer.allocate(8 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asLongBuffer().put(t.data());
                writeFully(ch, buf);
            }
        }
    }

    private static long describe(Map<String, Object> header, String name, String dtype, int[] shape,
                                 long offset, long bytes) {
        if (name.equals("__metadata__") || header.containsKey(name)) {
            throw new IllegalArgumentException("reserved or duplicate tensor name " + name);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("dtype", dtype);
        entry.put("shape", Arrays.stream(shape).boxed().toList());
        entry.put("data_offsets", List.of(offset, offset + bytes));
        header.put(name, entry);
        return offset + bytes;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads every tensor of {@code file}; dtypes other than F32 and I64 are refused. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": too short for a safetensors header");
            }
            long headerLength = readFully(ch, 0, 8).getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw new IOException(file + ": bad header length " + headerLength);
            }
            ByteBuffer headerBytes = readFully(ch, 8, (int) headerLength);
            Object parsed = new HeaderParser(StandardCharsets.UTF_8.decode(headerBytes).toString(), file).parse();
            if (!(parsed instanceof Map<?, ?> header)) {
                throw new IOException(file + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    readMetadata(e.getValue(), metadata, file);
                } else {
                    entries.add(Entry.of(name, e.getValue(), dataSize, file));
                }
            }
            // The tensors must tile the data section exactly: sorted by offset, each starts where
            // the previous ended and the last ends at the end of the file.
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
            long expected = 0;
            for (Entry e : byOffset) {
                if (e.begin != expected) {
                    throw new IOException(file + ": tensor " + e.name + " overlaps or leaves a gap");
                }
                expected = e.end;
            }
            if (expected != dataSize) {
                throw new IOException(file + ": " + (dataSize - expected) + " bytes of data belong to no tensor");
            }
            Map<String, Tensor> floats = new LinkedHashMap<>();
            Map<String, LongTensor> longs = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer buf = readFully(ch, dataStart + e.begin, (int) (e.end - e.begin));
                if (e.dtype.equals("F32")) {
                    float[] data = new float[Tensor.numel(e.shape)];
                    buf.asFloatBuffer().get(data);
                    floats.put(e.name, new Tensor(data, e.shape));
                } else {
                    long[] data = new long[Tensor.numel(e.shape)];
                    buf.asLongBuffer().get(data);
                    longs.put(e.name, new LongTensor(data, e.shape));
                }
            }
            return new Contents(floats, longs, metadata);
        }
    }

    private static void readMetadata(Object value, Map<String, String> metadata, Path file) throws IOException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IOException(file + ": __metadata__ is not an object");
        }
        for (Map.Entry<?, ?> m : map.entrySet()) {
            if (!(m.getValue() instanceof String s)) {
                throw new IOException(file + ": metadata value of " + m.getKey() + " is not a string");
            }
            metadata.put((String) m.getKey(), s);
        }
    }

    /** One validated tensor description of the header. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
        static Entry of(String name, Object value, long dataSize, Path file) throws IOException {
            if (!(value instanceof Map<?, ?> desc) || !(desc.get("dtype") instanceof String dtype)
                    || !(desc.get("shape") instanceof List<?> shapeList)
                    || !(desc.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2) {
                throw new IOException(file + ": malformed description of tensor " + name);
            }
            long elementSize = switch (dtype) {
                case "F32" -> 4;
                case "I64" -> 8;
                default -> throw new IOException(file + ": tensor " + name + " has unsupported dtype " + dtype);
            };
            int[] shape = new int[shapeList.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                    throw new IOException(file + ": bad shape of tensor " + name);
                }
                shape[i] = (int) (long) d;
                numel *= d; // both factors are below 2³¹, so this cannot overflow
                if (numel > Integer.MAX_VALUE) {
                    throw new IOException(file + ": tensor " + name + " is too large");
                }
            }
            if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)
                    || begin < 0 || end < begin || end > dataSize || end - begin != numel * elementSize) {
                throw new IOException(file + ": bad data_offsets of tensor " + name);
            }
            return new Entry(name, dtype, shape, begin, end);
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buf.flip();
    }

    /**
     * A strict parser for the JSON subset headers use: objects, arrays, strings and integers
     * (as Long), nested at most a few levels. Duplicate keys are refused.
     */
    private static final class HeaderParser {
        private static final int MAX_DEPTH = 8;
        private final String s;
        private final Path file;
        private int pos;

        HeaderParser(String s, Path file) {
            this.s = s;
            this.file = file;
        }

        Object parse() throws IOException {
            Object v = value(0);
            skipSpace();
            if (pos != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object value(int depth) throws IOException {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                skipSpace();
                if (peek('}')) {
                    return map;
                }
                do {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    if (map.put(key, value(depth + 1)) != null) {
                        throw error("duplicate key " + key);
                    }
                    skipSpace();
                } while (peek(','));
                expect('}');
                return map;
            }
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (peek(']')) {
                    return list;
                }
                do {
                    list.add(value(depth + 1));
                    skipSpace();
                } while (peek(','));
                expect(']');
                return list;
            }
            if (c == '"') {
                return string();
            }
            return integer();
        }

        private String string() throws IOException {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        break;
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("bad \\u escape");
                            }
                            try {
                                sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("bad \\u escape");
                            }
                            pos += 4;
                        }
                        default -> throw error("bad escape");
                    }
                } else if (c < 0x20) {
                    throw error("control character in string");
                } else {
                    sb.append(c);
                }
            }
            throw error("unterminated string");
        }

        private Long integer() throws IOException {
            int start = pos;
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            try {
                return Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("expected an integer, string, object or array");
            }
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private boolean peek(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws IOException {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private IOException error(String what) {
            return new IOException(file + ": bad safetensors header at character " + pos + ": " + what);
        }
    }
}
