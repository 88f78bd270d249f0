package lessismore.nn.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds one protocol-buffers message in memory, field by field, in the wire format: each field is
 * a key (field number · 8 + wire type) as a varint, then a varint value (wire type 0), four
 * little-endian bytes (type 5), or a varint length and that many bytes (type 2: strings, bytes and
 * nested messages). Repeated fields are written one key per element (proto2's unpacked encoding,
 * which every parser accepts). Only what the ONNX schema needs is here.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final Buffer out = new Buffer();

    /** An int32, int64 or enum field (negative values take ten bytes, as protobuf encodes them). */
    ProtoWriter varint(int field, long value) {
        key(field, VARINT);
        writeVarint(value);
        return this;
    }

    /** A float field. */
    ProtoWriter float32(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int shift = 0; shift < 32; shift += 8) {
            out.write(bits >>> shift);
        }
        return this;
    }

    /** A string field, UTF-8. */
    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bytes field. */
    ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        writeVarint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    /** A nested message field, copied from {@code message}'s buffer. */
    ProtoWriter message(int field, ProtoWriter message) {
        key(field, LENGTH_DELIMITED);
        writeVarint(message.out.size());
        message.out.copyTo(out);
        return this;
    }

    /** Writes this message's bytes (without a key or length: a top-level message) to {@code sink}. */
    void writeTo(OutputStream sink) throws IOException {
        out.writeTo(sink);
    }

    /**
     * Writes this message to {@code sink} as field {@code field} of an enclosing message whose other
     * fields go to {@code sink} separately, so a large message is never copied into its parent.
     */
    void writeAsFieldTo(OutputStream sink, int field) throws IOException {
        ProtoWriter prefix = new ProtoWriter();
        prefix.key(field, LENGTH_DELIMITED);
        prefix.writeVarint(out.size());
        prefix.writeTo(sink);
        writeTo(sink);
    }

    private void key(int field, int wireType) {
        writeVarint((long) field << 3 | wireType);
    }

    private void writeVarint(long value) {
        // Seven bits per byte, least significant group first, high bit set on all but the last.
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** A ByteArrayOutputStream that copies its bytes into another without an intermediate array. */
    private static final class Buffer extends ByteArrayOutputStream {
        void copyTo(ByteArrayOutputStream target) {
            target.write(buf, 0, count);
        }
    }
}
