package lessismore.io.codec;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * JPEG 2000 (transfer syntaxes 1.2.840.10008.1.2.4.90 lossless-only and .91 lossy), decoded by
 * JJ2000 as packaged in {@code com.github.jai-imageio:jai-imageio-jpeg2000} (pure Java, JJ2000
 * licence plus Sun's BSD licence; see the dependency's comment in {@code java/pom.xml}).
 *
 * <p>Before the library sees a byte, this class checks the stream itself, so that hostile or
 * damaged data ends in a clear {@link CodecException} rather than in the library's allocation or
 * its handling of truncation (given a cut-off stream, JJ2000 prints a stack trace to standard error
 * and throws {@code ThreadDeath}):
 * <ul>
 *   <li>the frame is a raw codestream (SOC SIZ …) or a JP2 file whose first {@code jp2c} box
 *       holds one; only the codestream is handed on, so JP2 colour boxes are ignored (DICOM's
 *       Photometric Interpretation governs);
 *   <li>SIZ: a Part 1 codestream (HTJ2K and Part 2 are refused; Part 1 profiles JJ2000 does not
 *       know, Rsiz above 2, are hidden from it in a copy), image size equals Rows × Columns,
 *       component count equals Samples per Pixel, no component subsampling, every precision fits
 *       Bits Allocated, at most 65535 tiles;
 *   <li>COD/COC (main and tile-part headers): decomposition levels, code-block size, transform
 *       within the standard's limits, quality layers × tiles × components at most 16384 (JJ2000
 *       keeps per-layer state per code-block); only Part 1 marker segments in the main and
 *       tile-part headers, each inside its header; no packed packet headers (PPM, PPT), on
 *       which JJ2000 can loop forever;
 *   <li>the chain of tile-parts (SOT lengths) lies inside the frame and ends at EOC or at the end
 *       of the frame (a single trailing pad byte is allowed); every tile is present and has at
 *       least as many tile-parts as it announces.
 * </ul>
 * Whatever the library then throws (checked exceptions, runtime exceptions, errors including
 * {@link OutOfMemoryError} and {@link StackOverflowError}) becomes a {@link CodecException}.
 *
 * <p>Samples: a signed component comes back as its two's complement bit pattern in the low
 * {@code bitsAllocated} bits; an unsigned one as its value. Colour streams using the
 * multi-component transform (RCT/ICT) come back transformed back to RGB, interleaved.
 *
 * <p>Memory: the compressed bytes once more (the library's stream cache), the decoded image in
 * the library's own raster (output size), and JJ2000's working buffers. Measured: a real 512×512
 * 12-bit slice allocates about 2.5 MB in all (output 0.5 MB); in 21,000 corrupted 128×128 streams
 * the most any decode allocated was 4.9 MB.
 *
 * <p>Thread-safe: every call uses its own reader. JJ2000 prints a stack trace to standard error
 * when reading a tile's packets fails (the stream ends early); the checks above keep tile-parts
 * inside the frame, and none of those 21,000 corrupted streams made it print, but a packet
 * header corrupted to point past its tile-part might still.
 */
public final class Jpeg2000Codec implements FrameCodec {
    private static final int SOC = 0xFF4F;
    private static final int SIZ = 0xFF51;
    private static final int COD = 0xFF52;
    private static final int COC = 0xFF53;
    private static final int SOT = 0xFF90;
    private static final int SOD = 0xFF93;
    private static final int EOC = 0xFFD9;
    /** Part 15 capabilities marker: HTJ2K. */
    private static final int CAP = 0xFF50;
    /**
     * Marker segments Part 1 allows between SIZ and the first SOT: COD, COC, TLM, PLM, QCD, QCC,
     * RGN, POC, PPM, CRG, COM. Anything else (Part 2's DCO/ATK/MCT…, HTJ2K's CAP/CPF) is refused
     * here, with its name, rather than left to the library.
     */
    private static final java.util.Set<Integer> MAIN_HEADER_MARKERS = java.util.Set.of(
            COD, COC, 0xFF55, 0xFF57, 0xFF5C, 0xFF5D, 0xFF5E, 0xFF5F, 0xFF60, 0xFF63, 0xFF64);
    /** Packed packet headers, main header. */
    private static final int PPM = 0xFF60;
    private static final int PPT = 0xFF61;

    /**
     * Packed packet headers (PPM in the main header, PPT in tile-part headers) are refused: when
     * they run out, JJ2000 reads the end of its in-memory stream as endless one-bits and loops
     * forever (found by ParserFuzzTest). Encoders rarely write them for medical images.
     */
    private static final CodecException PACKED_HEADERS_REFUSED = new CodecException(
            "JPEG 2000: packed packet headers (PPM/PPT) are not supported");
    /** Marker segments Part 1 allows in a tile-part header: COD, COC, QCD, QCC, RGN, POC, PPT, PLT, COM. */
    private static final java.util.Set<Integer> TILE_HEADER_MARKERS = java.util.Set.of(
            COD, COC, 0xFF5C, 0xFF5D, 0xFF5E, 0xFF5F, 0xFF61, 0xFF58, 0xFF64);
    /** Bound on quality layers × tiles × components (see where it is checked). */
    private static final long MAX_LAYER_TILE_COMPONENTS = 16384;
    /** Most tiles a codestream can number (Isot is 16 bits, 65535 reserved). */
    private static final long MAX_TILES = 65535;

    @Override
    public void decode(byte[] src, int off, int len, FrameInfo info, short[] out) throws CodecException {
        checkArguments(src, off, len, info, out);
        long cs = locateCodestream(src, off, len);
        int csOff = (int) (cs >>> 32);
        int csLen = (int) cs;
        int rsiz = checkCodestream(src, csOff, csLen, info);
        byte[] stream = src;
        if (rsiz > 2) {
            // A Part 1 profile JJ2000 does not list (cinema, broadcast, IMF: restrictions on how
            // the stream was made, not extra decoding steps); JJ2000 refuses all but 0 to 2, so it
            // gets a copy that claims no profile.
            stream = Arrays.copyOfRange(src, csOff, csOff + csLen);
            stream[6] = 0;
            stream[7] = 0;
            csOff = 0;
        }

        try {
            copySamples(readRasterWithDeadline(stream, csOff, csLen, info), info, out);
        } catch (CodecException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new CodecException("JPEG 2000: decoder ran out of memory");
        } catch (StackOverflowError e) {
            throw new CodecException("JPEG 2000: decoder overflowed its stack");
        } catch (LinkageError e) {
            throw new CodecException("JPEG 2000: no decoder available (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        } catch (IOException | RuntimeException | Error e) {
            throw new CodecException("JPEG 2000: decoder failed: " + describe(e));
        }
    }

    /**
     * Tile-part data {@code b[p, end)}: after 0xFF comes a byte below 0x90 (bit stuffing) or an
     * in-stream SOP/EPH marker (FF91, FF92). JJ2000's packet-header reader, given FF FF, keeps
     * returning the same stuffed byte's bits and never ends (found by ParserFuzzTest), so such
     * data is refused here, as damaged.
     */
    private static void checkTileData(byte[] b, int p, int end, int tile, int off) throws CodecException {
        for (int i = p; i < end; i++) {
            if (b[i] == (byte) 0xFF) {
                // A final FF would take its stuffed successor from the next marker.
                int next = i + 1 < end ? b[i + 1] & 0xFF : 0xFF;
                if (next >= 0x90 && next != 0x91 && next != 0x92) {
                    throw new CodecException("JPEG 2000: invalid byte pair FF " + String.format("%02X", next)
                            + " in the data of tile " + tile + " at byte " + (i - off));
                }
            }
        }
    }

    /**
     * The codestream as an ImageInputStream whose single-byte {@code read()} throws
     * {@link java.io.EOFException} at the end instead of returning -1. JJ2000 expects that
     * exception at the end of its data (its own file streams throw it); jai-imageio's adapter passes
     * -1 through, which JJ2000's packet-header reader takes for endless one-bits and loops forever
     * on a truncated or damaged packet (found by ParserFuzzTest).
     */
    private static final class EofThrowingStream extends javax.imageio.stream.ImageInputStreamImpl {
        private final byte[] b;
        private final int off;
        private final int len;

        EofThrowingStream(byte[] b, int off, int len) {
            this.b = b;
            this.off = off;
            this.len = len;
        }

        @Override
        public int read() throws IOException {
            bitOffset = 0;
            if (streamPos >= len) {
                throw new java.io.EOFException("end of JPEG 2000 codestream");
            }
            return b[off + (int) streamPos++] & 0xFF;
        }

        @Override
        public int read(byte[] dst, int dstOff, int n) throws IOException {
            bitOffset = 0;
            if (streamPos >= len) {
                return -1;
            }
            int k = (int) Math.min(n, len - streamPos);
            System.arraycopy(b, off + (int) streamPos, dst, dstOff, k);
            streamPos += k;
            return k;
        }

        @Override
        public long length() {
            return len;
        }
    }

    /** Daemon threads that run JJ2000, so that a decode that never ends can be abandoned. */
    private static final java.util.concurrent.ExecutorService DECODERS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "jpeg2000-decoder");
                t.setDaemon(true);
                return t;
            });

    /**
     * {@link #readRaster} with a deadline of 5 s plus 2 s per megapixel (a 512 x 512 slice takes
     * 50-120 ms). The checks above remove the endless loops the fuzzer found in JJ2000; this is the
     * backstop for any it did not: the frame is refused and the run goes on, while the stuck
     * thread (a daemon) is left behind until the process ends.
     */
    private static Raster readRasterWithDeadline(byte[] src, int off, int len, FrameInfo info)
            throws IOException, CodecException {
        long millis = 5000 + 2000L * info.rows() * info.columns() / 1_000_000;
        java.util.concurrent.Future<Raster> f = DECODERS.submit(() -> readRaster(src, off, len));
        try {
            return f.get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw new CodecException("JPEG 2000: decoder did not finish within " + millis + " ms (damaged data)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodecException("JPEG 2000: interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof CodecException ce) {
                throw ce;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new CodecException("JPEG 2000: decoder failed: " + c);
        }
    }

    /** Runs the library on {@code src[off, off + len)}, which holds a checked raw codestream. */
    private static Raster readRaster(byte[] src, int off, int len) throws IOException, CodecException {
        ImageReader reader = new com.github.jaiimageio.jpeg2000.impl.J2KImageReaderSpi().createReaderInstance();
        try (ImageInputStream in = new EofThrowingStream(src, off, len)) {
            reader.setInput(in);
            Raster r = reader.readRaster(0, null);
            if (r == null) {
                throw new CodecException("JPEG 2000: decoder returned no image");
            }
            return r;
        } finally {
            reader.dispose();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Container: raw codestream or JP2 file

    /** Offset (high 32 bits) and length (low 32 bits) of the codestream within the frame. */
    private static long locateCodestream(byte[] b, int off, int len) throws CodecException {
        if (len >= 2 && u16(b, off) == SOC) {
            return (long) off << 32 | len;
        }
        // JP2 signature box: length 12, type 'jP  ', content 0D 0A 87 0A
        if (len < 12 || u32(b, off) != 12 || u32(b, off + 4) != 0x6A502020 || u32(b, off + 8) != 0x0D0A870AL) {
            throw new CodecException("JPEG 2000: frame is neither a codestream (starts FF4F) nor a JP2 file");
        }
        int end = off + len;
        int p = off;
        while (end - p >= 8) {
            long boxLen = u32(b, p);
            int type = (int) u32(b, p + 4);
            int header = 8;
            if (boxLen == 1) {
                if (end - p < 16) {
                    break;
                }
                long hi = u32(b, p + 8);
                boxLen = hi != 0 ? Long.MAX_VALUE : u32(b, p + 12);
                header = 16;
            } else if (boxLen == 0) {
                boxLen = end - p; // last box, runs to the end
            }
            if (boxLen < header || boxLen > end - p) {
                throw new CodecException("JP2: box '" + fourCc(type) + "' at byte " + (p - off) + " of length "
                        + (boxLen == Long.MAX_VALUE ? "over 4 GiB" : boxLen) + " runs past end of frame (" + len
                        + " bytes)");
            }
            if (type == 0x6A703263) { // 'jp2c'
                int csOff = p + header;
                int csLen = (int) boxLen - header;
                if (csLen < 2 || u16(b, csOff) != SOC) {
                    throw new CodecException("JP2: contiguous codestream box does not start with SOC (FF4F)");
                }
                return (long) csOff << 32 | csLen;
            }
            p += (int) boxLen;
        }
        throw new CodecException("JP2: no contiguous codestream box (jp2c) in frame");
    }

    // ---------------------------------------------------------------------------------------
    // Codestream checks

    /** @return Rsiz, the capabilities (profile) the codestream claims */
    private static int checkCodestream(byte[] b, int off, int len, FrameInfo info) throws CodecException {
        int end = off + len;
        // --- SIZ, straight after SOC
        if (len < 4 + 2 + 38 || u16(b, off + 2) != SIZ) {
            throw new CodecException("JPEG 2000: no SIZ marker segment after SOC");
        }
        int p = off + 4;
        int lsiz = u16(b, p);
        int csiz = len >= 4 + 40 ? u16(b, p + 36) : -1;
        if (csiz < 1 || csiz > 16384) {
            throw new CodecException("JPEG 2000: SIZ gives " + csiz + " components");
        }
        if (lsiz != 38 + 3 * csiz || lsiz > end - p) {
            throw new CodecException("JPEG 2000: SIZ length " + lsiz + " wrong for " + csiz
                    + " components or past end of frame");
        }
        int rsiz = u16(b, p + 2);
        if ((rsiz & 0x8000) != 0) {
            throw new CodecException("JPEG 2000: Rsiz " + hex4(rsiz) + " asks for Part 2 extensions (not supported)");
        }
        if ((rsiz & 0x4000) != 0) {
            throw new CodecException("JPEG 2000: HTJ2K (Part 15) codestream not supported (Rsiz " + hex4(rsiz) + ")");
        }
        long xsiz = u32(b, p + 4);
        long ysiz = u32(b, p + 8);
        long xosiz = u32(b, p + 12);
        long yosiz = u32(b, p + 16);
        long xtsiz = u32(b, p + 20);
        long ytsiz = u32(b, p + 24);
        long xtosiz = u32(b, p + 28);
        long ytosiz = u32(b, p + 32);
        if (xsiz <= xosiz || ysiz <= yosiz) {
            throw new CodecException("JPEG 2000: SIZ gives an empty image (" + xsiz + " - " + xosiz + " by " + ysiz
                    + " - " + yosiz + ")");
        }
        long width = xsiz - xosiz;
        long height = ysiz - yosiz;
        if (width != info.columns() || height != info.rows()) {
            throw new CodecException("JPEG 2000: image is " + width + " x " + height + ", DICOM header says "
                    + info.columns() + " x " + info.rows());
        }
        if (csiz != info.samplesPerPixel()) {
            throw new CodecException("JPEG 2000: " + csiz + " components, DICOM header says "
                    + info.samplesPerPixel() + " samples per pixel");
        }
        if (xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz || xtsiz + xtosiz <= xosiz
                || ytsiz + ytosiz <= yosiz) {
            throw new CodecException("JPEG 2000: SIZ tile grid invalid (tile " + xtsiz + " x " + ytsiz + " at "
                    + xtosiz + ", " + ytosiz + ")");
        }
        long tilesX = ceilDiv(xsiz - xtosiz, xtsiz);
        long tilesY = ceilDiv(ysiz - ytosiz, ytsiz);
        if (tilesX * tilesY > MAX_TILES) {
            throw new CodecException("JPEG 2000: " + tilesX + " x " + tilesY + " tiles (at most " + MAX_TILES + ")");
        }
        int tiles = (int) (tilesX * tilesY);
        for (int c = 0; c < csiz; c++) {
            int ssiz = b[p + 38 + 3 * c] & 0xFF;
            int precision = (ssiz & 0x7F) + 1;
            int dx = b[p + 39 + 3 * c] & 0xFF;
            int dy = b[p + 40 + 3 * c] & 0xFF;
            if (precision > info.bitsAllocated()) {
                throw new CodecException("JPEG 2000: component " + c + " has " + precision + "-bit samples, DICOM "
                        + "header allocates " + info.bitsAllocated() + " bits");
            }
            if (dx != 1 || dy != 1) {
                throw new CodecException("JPEG 2000: component " + c + " subsampled " + dx + " x " + dy
                        + " (not supported)");
            }
        }
        p += lsiz;

        // --- rest of the main header, up to the first SOT
        boolean sawCod = false;
        int layers = 0;
        while (true) {
            if (end - p < 4) {
                throw new CodecException("JPEG 2000: main header runs past end of frame (no SOT)");
            }
            int marker = u16(b, p);
            if (marker == SOT) {
                break;
            }
            if (marker == CAP) {
                throw new CodecException("JPEG 2000: HTJ2K (Part 15) codestream not supported (CAP marker)");
            }
            if (!MAIN_HEADER_MARKERS.contains(marker)) {
                throw new CodecException("JPEG 2000: " + hex(marker) + " at byte " + (p - off) + " of the main header"
                        + ((marker & 0xFF00) == 0xFF00 && marker > 0xFF3F ? " not supported (not JPEG 2000 Part 1)"
                        : " is not a marker"));
            }
            int seg = u16(b, p + 2);
            if (seg < 2 || seg > end - p - 2) {
                throw new CodecException("JPEG 2000: marker segment " + hex(marker) + " at byte " + (p - off)
                        + " of length " + seg + " runs past end of frame (" + len + " bytes)");
            }
            if (marker == COD) {
                layers = Math.max(layers, checkCod(b, p + 4, seg - 2, csiz));
                sawCod = true;
            } else if (marker == COC) {
                checkCoc(b, p + 4, seg - 2, csiz);
            } else if (marker == PPM) {
                throw PACKED_HEADERS_REFUSED;
            }
            p += 2 + seg;
        }
        if (!sawCod) {
            throw new CodecException("JPEG 2000: main header has no COD marker segment");
        }

        // --- tile-parts: SOT lengths must chain through the frame
        int[] parts = new int[tiles];
        int[] announced = new int[tiles];
        while (true) {
            if (end - p < 2) {
                // ran out at a tile-part boundary (or one pad byte after it): no EOC, but the
                // tile-parts are complete; the count check below finds missing ones
                break;
            }
            int marker = u16(b, p);
            if (marker == EOC) {
                break;
            }
            if (marker != SOT) {
                throw new CodecException("JPEG 2000: expected SOT or EOC at byte " + (p - off) + ", found "
                        + hex(marker));
            }
            if (end - p < 12 || u16(b, p + 2) != 10) {
                throw new CodecException("JPEG 2000: bad SOT marker segment at byte " + (p - off));
            }
            int isot = u16(b, p + 4);
            long psot = u32(b, p + 6);
            int tnsot = b[p + 11] & 0xFF;
            if (isot >= tiles) {
                throw new CodecException("JPEG 2000: tile-part of tile " + isot + " but the image has " + tiles
                        + " tiles");
            }
            parts[isot]++;
            if (tnsot != 0) {
                if (announced[isot] != 0 && announced[isot] != tnsot) {
                    throw new CodecException("JPEG 2000: tile " + isot + " announces " + announced[isot] + " and "
                            + tnsot + " tile-parts");
                }
                announced[isot] = tnsot;
            }
            if (psot == 0) {
                // the last tile-part, running to EOC
                int last = end - 2;
                if (last - p >= 14 && u16(b, last) != EOC && b[end - 1] == 0) {
                    last--; // a pad byte after EOC
                }
                if (last - p < 14 || u16(b, last) != EOC) {
                    throw new CodecException("JPEG 2000: last tile-part (tile " + isot
                            + ") does not end with EOC: codestream truncated");
                }
                layers = Math.max(layers, checkTilePartHeader(b, p + 12, last, isot, csiz, off));
                break;
            }
            if (psot < 14) {
                throw new CodecException("JPEG 2000: tile-part of tile " + isot + " has length " + psot);
            }
            if (psot > end - p) {
                throw new CodecException("JPEG 2000: tile-part of tile " + isot + " at byte " + (p - off)
                        + " of length " + psot + " runs " + (psot - (end - p)) + " bytes past end of frame (" + len
                        + " bytes): codestream truncated");
            }
            layers = Math.max(layers, checkTilePartHeader(b, p + 12, p + (int) psot, isot, csiz, off));
            p += (int) psot;
        }
        // JJ2000 keeps per-layer state for every code-block of every tile and component: with
        // 65535 layers a 16 KB frame made it allocate 190 MB (about 330 bytes per layer, tile and
        // component on the fixtures). Real streams use one to a few dozen layers; the bound keeps
        // this state under about 5 MB.
        if ((long) layers * tiles * csiz > MAX_LAYER_TILE_COMPONENTS) {
            throw new CodecException("JPEG 2000: " + layers + " quality layers x " + tiles + " tiles x " + csiz
                    + " components (at most " + MAX_LAYER_TILE_COMPONENTS + ")");
        }
        for (int t = 0; t < tiles; t++) {
            if (parts[t] == 0) {
                throw new CodecException("JPEG 2000: tile " + t + " of " + tiles + " missing: codestream truncated");
            }
            // more tile-parts than announced is an encoder slip (old GDCM writes TNsot 5 for 6),
            // harmless; fewer means some are missing
            if (announced[t] != 0 && parts[t] < announced[t]) {
                throw new CodecException("JPEG 2000: tile " + t + " has " + parts[t] + " of its " + announced[t]
                        + " tile-parts: codestream truncated");
            }
        }
        return rsiz;
    }

    /**
     * The marker segments of a tile-part header, {@code b[p, end)} after its SOT segment, up to
     * SOD: only those Part 1 allows there, each inside the tile-part, COD/COC checked.
     *
     * @return the number of layers a COD there sets, or 0
     */
    private static int checkTilePartHeader(byte[] b, int p, int end, int tile, int csiz, int off)
            throws CodecException {
        int layers = 0;
        while (true) {
            if (end - p < 2) {
                throw new CodecException("JPEG 2000: tile-part of tile " + tile + " has no SOD marker");
            }
            int marker = u16(b, p);
            if (marker == SOD) {
                checkTileData(b, p + 2, end, tile, off);
                return layers;
            }
            if (!TILE_HEADER_MARKERS.contains(marker)) {
                throw new CodecException("JPEG 2000: " + hex(marker) + " at byte " + (p - off)
                        + " in the header of a tile-part of tile " + tile);
            }
            int seg = end - p >= 4 ? u16(b, p + 2) : -1;
            if (seg < 2 || seg > end - p - 2) {
                throw new CodecException("JPEG 2000: marker segment " + hex(marker) + " at byte " + (p - off)
                        + " runs past the end of its tile-part (tile " + tile + ")");
            }
            if (marker == COD) {
                layers = checkCod(b, p + 4, seg - 2, csiz);
            } else if (marker == COC) {
                checkCoc(b, p + 4, seg - 2, csiz);
            } else if (marker == PPT) {
                throw PACKED_HEADERS_REFUSED;
            }
            p += 2 + seg;
        }
    }


    /** COD body: Scod, progression, layers (2), MCT, then the coding style parameters; returns layers. */
    private static int checkCod(byte[] b, int p, int n, int csiz) throws CodecException {
        if (n < 10) {
            throw new CodecException("JPEG 2000: COD marker segment too short (" + n + " bytes)");
        }
        int scod = b[p] & 0xFF;
        int progression = b[p + 1] & 0xFF;
        int layers = u16(b, p + 2);
        int mct = b[p + 4] & 0xFF;
        if (progression > 4) {
            throw new CodecException("JPEG 2000: COD progression order " + progression + " unknown");
        }
        if (layers == 0) {
            throw new CodecException("JPEG 2000: COD gives 0 quality layers");
        }
        if (mct > 1 || (mct == 1 && csiz < 3)) {
            throw new CodecException("JPEG 2000: COD multiple component transform " + mct + " with " + csiz
                    + " component(s)");
        }
        checkCodingStyle("COD", b, p + 5, n - 5, (scod & 1) != 0);
        return layers;
    }

    /** COC body: component index (1 or 2 bytes), Scoc, then the coding style parameters. */
    private static void checkCoc(byte[] b, int p, int n, int csiz) throws CodecException {
        int idxBytes = csiz < 257 ? 1 : 2;
        if (n < idxBytes + 6) {
            throw new CodecException("JPEG 2000: COC marker segment too short (" + n + " bytes)");
        }
        int comp = idxBytes == 1 ? b[p] & 0xFF : u16(b, p);
        if (comp >= csiz) {
            throw new CodecException("JPEG 2000: COC for component " + comp + " of " + csiz);
        }
        int scoc = b[p + idxBytes] & 0xFF;
        checkCodingStyle("COC", b, p + idxBytes + 1, n - idxBytes - 1, (scoc & 1) != 0);
    }

    /** SPcod/SPcoc: levels, code-block width and height exponents, style, transform, precincts. */
    private static void checkCodingStyle(String where, byte[] b, int p, int n, boolean precincts)
            throws CodecException {
        int levels = b[p] & 0xFF;
        int xcb = b[p + 1] & 0xFF;
        int ycb = b[p + 2] & 0xFF;
        int transform = b[p + 4] & 0xFF;
        if (levels > 32) {
            throw new CodecException("JPEG 2000: " + where + " gives " + levels + " decomposition levels (at most 32)");
        }
        // code-block size 2^(xcb + 2) x 2^(ycb + 2): each exponent at most 10, together at most 12
        if (xcb > 8 || ycb > 8 || xcb + ycb > 8) {
            throw new CodecException("JPEG 2000: " + where + " code-block size 2^" + (xcb + 2) + " x 2^" + (ycb + 2)
                    + " out of range");
        }
        if (transform > 1) {
            throw new CodecException("JPEG 2000: " + where + " wavelet transform " + transform + " unknown");
        }
        if (precincts && n < 5 + levels + 1) {
            throw new CodecException("JPEG 2000: " + where + " lists " + (n - 5) + " precinct sizes for " + (levels + 1)
                    + " resolution levels");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Output

    private static void copySamples(Raster r, FrameInfo info, short[] out) throws CodecException {
        int w = info.columns();
        int h = info.rows();
        int bands = info.samplesPerPixel();
        if (r.getWidth() != w || r.getHeight() != h || r.getNumBands() != bands) {
            throw new CodecException("JPEG 2000: decoder returned " + r.getWidth() + " x " + r.getHeight() + " x "
                    + r.getNumBands() + ", expected " + w + " x " + h + " x " + bands);
        }
        int n = w * h * bands;
        DataBuffer db = r.getDataBuffer();
        SampleModel sm = r.getSampleModel();
        int mask = info.bitsAllocated() == 8 ? 0xFF : 0xFFFF;
        if (sm instanceof ComponentSampleModel csm && db.getNumBanks() == 1 && csm.getPixelStride() == bands
                && csm.getScanlineStride() == w * bands && consecutive(csm.getBandOffsets())
                && allZero(csm.getBankIndices())) {
            int start = db.getOffset() + csm.getOffset(r.getMinX() - r.getSampleModelTranslateX(),
                    r.getMinY() - r.getSampleModelTranslateY());
            short[] s = db instanceof DataBufferUShort u ? u.getData()
                    : db instanceof DataBufferShort sh ? sh.getData() : null;
            if (s != null && start >= 0 && start <= s.length - n) {
                if (mask == 0xFFFF) {
                    System.arraycopy(s, start, out, 0, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        out[i] = (short) (s[start + i] & mask);
                    }
                }
                return;
            }
            if (db instanceof DataBufferByte by && start >= 0 && start <= by.getData().length - n) {
                byte[] d = by.getData();
                for (int i = 0; i < n; i++) {
                    out[i] = (short) (d[start + i] & 0xFF);
                }
                return;
            }
        }
        // any other layout: a row at a time through the sample model
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            int o = y * w * bands;
            for (int i = 0; i < row.length; i++) {
                out[o + i] = (short) (row[i] & mask);
            }
        }
    }

    private static boolean consecutive(int[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(int[] a) {
        for (int v : a) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------
    // Helpers

    private static void checkArguments(byte[] src, int off, int len, FrameInfo info, short[] out)
            throws CodecException {
        if (src == null || out == null || info == null) {
            throw new CodecException("JPEG 2000: missing input, output or frame description");
        }
        if (off < 0 || len < 0 || off > src.length - len) {
            throw new CodecException("JPEG 2000: frame [" + off + ", +" + len + ") outside the " + src.length
                    + "-byte buffer");
        }
        if (info.bitsAllocated() != 8 && info.bitsAllocated() != 16) {
            throw new CodecException("JPEG 2000: " + info.bitsAllocated() + "-bit samples not supported (8 or 16)");
        }
        if (info.samplesPerPixel() != 1 && info.samplesPerPixel() != 3) {
            throw new CodecException("JPEG 2000: " + info.samplesPerPixel()
                    + " samples per pixel not supported (1 or 3)");
        }
        long n = (long) info.rows() * info.columns() * info.samplesPerPixel();
        if (info.rows() <= 0 || info.columns() <= 0 || n > Integer.MAX_VALUE) {
            throw new CodecException("JPEG 2000: bad frame size " + info.rows() + " x " + info.columns());
        }
        if (out.length < n) {
            throw new CodecException("JPEG 2000: output holds " + out.length + " samples, frame needs " + n);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.strip());
        s = s.replaceAll("\\s+", " ");
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFFL) << 16 | (b[p + 2] & 0xFFL) << 8 | (b[p + 3] & 0xFFL);
    }

    private static String hex(int marker) {
        return String.format("marker %04X", marker);
    }

    private static String hex4(int v) {
        return String.format("%04X", v);
    }

    private static String fourCc(int type) {
        StringBuilder s = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = type >>> shift & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }
}
