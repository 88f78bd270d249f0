package lessismore.report;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import lessismore.report.ReportModel.Thumbnail;

/**
 * Turns thumbnails into {@code data:image/png;base64,...} URIs (8-bit grey PNGs). Encoding is
 * most of the report's time, so it runs in parallel, with one reused PNG writer per chunk:
 * looking a writer up per image would cost as much as the encoding.
 */
final class Thumbnails {
    private static final String PREFIX = "data:image/png;base64,";
    /** Enough chunks to balance the cores, few enough that writer setup does not matter. */
    private static final int CHUNK = 256;
    /**
     * Deflate level 4 instead of ImageIO's default 9: about a third faster, and the files of
     * small noisy slices are no larger.
     */
    private static final float QUALITY = 0.5f;

    private Thumbnails() {
    }

    /** The data URI of each thumbnail, keyed by identity (the same thumbnail may appear twice). */
    static Map<Thumbnail, String> dataUris(List<Thumbnail> thumbnails) throws IOException {
        String[] uris = new String[thumbnails.size()];
        try {
            IntStream.range(0, (thumbnails.size() + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
                try {
                    ImageWriteParam param = writer.getDefaultWriteParam();
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(QUALITY);
                    ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
                    for (int i = c * CHUNK; i < Math.min(thumbnails.size(), (c + 1) * CHUNK); i++) {
                        uris[i] = encode(thumbnails.get(i), writer, param, buffer);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    writer.dispose();
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<Thumbnail, String> out = new IdentityHashMap<>(thumbnails.size() * 2);
        for (int i = 0; i < uris.length; i++) {
            out.put(thumbnails.get(i), uris[i]);
        }
        return out;
    }

    private static String encode(Thumbnail t, ImageWriter writer, ImageWriteParam param,
                                 ByteArrayOutputStream buffer) throws IOException {
        if (t.width() <= 0 || t.height() <= 0 || t.gray().length != t.width() * t.height()) {
            throw new IllegalArgumentException("thumbnail of " + t.width() + "x" + t.height()
                    + " has " + t.gray().length + " bytes");
        }
        BufferedImage img = new BufferedImage(t.width(), t.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(t.gray(), 0, pixels, 0, pixels.length);
        buffer.reset();
        // In memory: the default ImageIO cache would write a temporary file per image.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(buffer)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        }
        return PREFIX + Base64.getEncoder().encodeToString(buffer.toByteArray());
    }
}
