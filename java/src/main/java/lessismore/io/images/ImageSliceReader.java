package lessismore.io.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;

/**
 * Reads one PNG, JPEG or TIFF file (JDK {@code javax.imageio} only) as a greyscale {@link ImageSlice}.
 *
 * <ul>
 *   <li>The format is recognised by its signature bytes, not by the file name.
 *   <li>Grey images (8- or 16-bit, with or without alpha) give their stored samples; no gamma or
 *       colour management is applied. Signed 16-bit TIFF (SampleFormat 2) stays signed.
 *   <li>8-bit colour (RGB, RGBA, palette) is converted exactly like Pillow 9.4's
 *       {@code convert("L")}: ITU-R 601-2 luma in 16-bit fixed point,
 *       {@code L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16}, alpha ignored, palette entries
 *       looked up first. (Verified against PIL on all 2^24 colours by
 *       {@code scripts/golden/make_image_golden.py}.)
 *   <li>16-bit RGB(A) — which PIL cannot hold — uses the same weights on the 16-bit samples, giving
 *       a 16-bit grey value.
 *   <li>JPEG decoding is the JDK's (baseline and progressive, grey or YCbCr). On the baseline
 *       files tested (4:4:4, 4:2:2 and 4:2:0 chroma) it gave the same samples as PIL's libjpeg;
 *       other encoders' files are not guaranteed to match PIL to the last level.
 *   <li>Refused: multi-page TIFF, float or 32-bit samples, CMYK/YCCK, other colour spaces.
 * </ul>
 *
 * <p>Every problem is one {@link SkippedFileException}: {@link SkipReason#NOT_IMAGE} for a file
 * that is not PNG/JPEG/TIFF, {@link SkipReason#CORRUPT} for one that cannot be decoded,
 * {@link SkipReason#UNSUPPORTED} for the refused kinds and for images over the pixel limit,
 * {@link SkipReason#UNREADABLE} when the file cannot be read.
 */
public final class ImageSliceReader {
    /** Default bound on width × height: 2^26 pixels (8192 × 8192). */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    private ImageSliceReader() {
    }

    /** Whether a file name has one of the extensions this reader is meant for (png, jpg, jpeg, tif, tiff). */
    public static boolean hasImageExtension(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".tif")
                || n.endsWith(".tiff");
    }

    /** {@link #read(Path, long)} with {@link #DEFAULT_MAX_PIXELS}. */
    public static ImageSlice read(Path path) throws SkippedFileException {
        return read(path, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes the image in {@code path} to grey.
     *
     * @param maxPixels the largest width × height accepted; checked before decoding
     * @throws SkippedFileException for anything that cannot be used, with a one-line reason
     */
    public static ImageSlice read(Path path, long maxPixels) throws SkippedFileException {
        String format;
        try {
            if (!Files.isRegularFile(path)) {
                if (!Files.exists(path)) {
                    throw new SkippedFileException(SkipReason.UNREADABLE, "file not found: " + path);
                }
                throw new SkippedFileException(SkipReason.UNREADABLE, "not a regular file: " + path);
            }
            format = sniff(path);
        } catch (IOException e) {
            throw SkippedFileException.unreadable(e);
        }
        if (format == null) {
            throw new SkippedFileException(SkipReason.NOT_IMAGE, "not a PNG, JPEG or TIFF file");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        // The JDK's own plug-ins only: jai-imageio (on the class path for JPEG 2000) registers TIFF
        // and other readers that are less robust on damaged files.
        ImageReader reader = null;
        while (readers.hasNext() && reader == null) {
            ImageReader candidate = readers.next();
            if (candidate.getClass().getName().startsWith("com.sun.imageio.")) {
                reader = candidate;
            }
        }
        if (reader == null) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED, "no " + format + " decoder in this JDK");
        }
        BufferedImage image;
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            reader.setInput(in, false, true);
            if (format.equals("tiff")) {
                int pages = reader.getNumImages(true);
                if (pages != 1) {
                    throw new SkippedFileException(SkipReason.UNSUPPORTED,
                            "multi-page TIFF (" + pages + " pages); one slice per file is expected");
                }
            }
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new SkippedFileException(SkipReason.CORRUPT, format + " image of " + w + "x" + h + " pixels");
            }
            if (w * h > maxPixels) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED,
                        format + " image of " + w + "x" + h + " pixels is over the limit of " + maxPixels);
            }
            image = reader.read(0);
        } catch (SkippedFileException e) {
            throw e;
        } catch (IOException e) {
            String m = SkippedFileException.oneLine(e);
            if (m.contains("Unsupported") || m.contains("unsupported")) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED, "cannot decode " + format + ": " + m);
            }
            throw new SkippedFileException(SkipReason.CORRUPT, "cannot decode " + format + ": " + m);
        } catch (RuntimeException e) {
            // The JDK decoders throw unchecked exceptions on some damaged inputs.
            throw new SkippedFileException(SkipReason.CORRUPT, "cannot decode " + format + ": " + SkippedFileException.oneLine(e));
        } finally {
            reader.dispose();
        }
        if (image == null) {
            throw new SkippedFileException(SkipReason.CORRUPT, "cannot decode " + format + ": no image");
        }
        return toGrey(format, image);
    }

    /** {@code png}, {@code jpeg}, {@code tiff} from the first bytes, or null. */
    private static String sniff(Path path) throws IOException {
        byte[] b;
        try (InputStream in = Files.newInputStream(path)) {
            b = in.readNBytes(8);
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[4] == '\r'
                && b[5] == '\n' && b[6] == 0x1a && b[7] == '\n') {
            return "png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return "tiff";
        }
        return null;
    }

    /** PIL's "L" from 8-bit R, G, B; also used on 16-bit samples (fits in a long). */
    static long luma(long r, long g, long b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static ImageSlice toGrey(String format, BufferedImage image) throws SkippedFileException {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int[] out = new int[Math.multiplyExact(w, h)];
        int minX = raster.getMinX();
        int minY = raster.getMinY();

        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            int[] lut = new int[size];
            boolean grey = true;
            for (int i = 0; i < size; i++) {
                int r = icm.getRed(i);
                int g = icm.getGreen(i);
                int b = icm.getBlue(i);
                grey &= r == g && g == b;
                lut[i] = (int) luma(r, g, b);
            }
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(minX, minY + y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int idx = row[x];
                    // An index past the palette is black, as PIL's palette lookup gives zeros.
                    out[y * w + x] = idx >= 0 && idx < size ? lut[idx] : 0;
                }
            }
            return new ImageSlice(format, w, h, 8, false, !grey, out);
        }

        int transfer = raster.getDataBuffer().getDataType();
        if (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED, format + " with floating-point samples");
        }
        int colours = cm.getNumColorComponents();
        int space = cm.getColorSpace().getType();
        int bits = raster.getSampleModel().getSampleSize(0);
        for (int band = 1; band < colours; band++) {
            if (raster.getSampleModel().getSampleSize(band) != bits) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED, format + " with unequal sample sizes");
            }
        }
        if (bits < 1 || bits > 16) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED, format + " with " + bits + "-bit samples");
        }
        boolean signed = transfer == DataBuffer.TYPE_SHORT;
        int[] row = new int[w];
        if (colours == 1 && space == ColorSpace.TYPE_GRAY) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(minX, minY + y, w, 1, 0, row);
                if (signed && bits == 16) {
                    for (int x = 0; x < w; x++) {
                        row[x] = (short) row[x];
                    }
                }
                System.arraycopy(row, 0, out, y * w, w);
            }
            return new ImageSlice(format, w, h, bits, signed && bits == 16, false, out);
        }
        if (colours == 3 && space == ColorSpace.TYPE_RGB) {
            if (signed) {
                throw new SkippedFileException(SkipReason.UNSUPPORTED, format + " with signed colour samples");
            }
            int[] g = new int[w];
            int[] b = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(minX, minY + y, w, 1, 0, row);
                raster.getSamples(minX, minY + y, w, 1, 1, g);
                raster.getSamples(minX, minY + y, w, 1, 2, b);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (int) luma(row[x], g[x], b[x]);
                }
            }
            return new ImageSlice(format, w, h, bits, false, true, out);
        }
        throw new SkippedFileException(SkipReason.UNSUPPORTED,
                format + " in colour space " + spaceName(space) + " with " + colours + " components");
    }

    private static String spaceName(int type) {
        return switch (type) {
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_GRAY -> "grey";
            case ColorSpace.TYPE_RGB -> "RGB";
            default -> "type " + type;
        };
    }
}
