package lessismore.io.images;

/**
 * One greyscale slice decoded from an image file.
 *
 * @param format   the container: {@code "png"}, {@code "jpeg"} or {@code "tiff"}
 * @param width    columns
 * @param height   rows
 * @param bitDepth bits per grey value: 8 for 8-bit and palette images (and for 1/2/4-bit grey or
 *                 palette PNGs, which are expanded to 0..255 as PIL's {@code convert("L")} does), 16
 *                 for 16-bit images; other sample sizes of TIFF files (e.g. 12) as stored
 * @param signed   whether the values are two's-complement (16-bit TIFF with SampleFormat 2):
 *                 then they lie in {@code -2^(bitDepth-1) .. 2^(bitDepth-1)-1}, else
 *                 {@code 0 .. 2^bitDepth - 1}
 * @param colour   whether the file held colour (RGB, RGBA or a palette) converted to grey
 * @param pixels   {@code width × height} values, row-major (top row first); not copied
 */
public record ImageSlice(String format, int width, int height, int bitDepth, boolean signed, boolean colour, int[] pixels) {
    /** The value at column {@code x}, row {@code y}. */
    public int get(int x, int y) {
        return pixels[y * width + x];
    }
}
