package lessismore.io.codec;

/**
 * A compressed frame that cannot be decoded: damaged, truncated, or using a feature the codec
 * does not support. The message is one line and names the problem, e.g.
 * "JPEG: Huffman table 2 used but not defined".
 */
public final class CodecException extends Exception {
    /** @param message one line, shown in the manifest after the file's name */
    public CodecException(String message) {
        super(message, null, false, false);
    }
}
