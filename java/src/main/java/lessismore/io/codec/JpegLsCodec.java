package lessismore.io.codec;

/**
 * Pure-Java JPEG-LS decoder (ITU-T T.87 | ISO/IEC 14495-1), for the transfer syntaxes JPEG-LS
 * Lossless (1.2.840.10008.1.2.4.80) and JPEG-LS Near-Lossless (1.2.840.10008.1.2.4.81).
 *
 * <p>Supported: lossless and near-lossless (NEAR &gt; 0) coding; precision 2 to 16 bits; one
 * component, or several in separate scans (interleave mode none), line-interleaved or
 * sample-interleaved; preset coding parameters (LSE id 1: MAXVAL, T1, T2, T3, RESET, each 0 meaning
 * the default of T.87 C.2.4.1.1) and the oversize-dimension segment (LSE id 4); restart intervals
 * (DRI with 2 to 4 byte intervals, RSTm markers); fill bytes before markers, APPn/COM segments
 * (skipped) and data after EOI (ignored). A frame that ends right after its last scan, without EOI,
 * is accepted.
 *
 * <p>Refused with a {@link CodecException}: mapping tables (LSE id 2 and 3, or a scan naming a
 * table), the HP colour transforms that CharLS signals in an APP8 "mrfx" segment, subsampled
 * components, point transform, the number of lines deferred to a DNL marker, a frame whose size or
 * number of components differs from the DICOM header or whose precision does not fit
 * BitsAllocated, and any damage. The precision may differ from BitsStored (dcmtk, for one, codes
 * 12-bit data at 16 bits); samples are written as decoded, the caller masks to BitsStored as for
 * uncompressed data.
 *
 * <p>Compatibility notes. Default thresholds follow T.87 for every MAXVAL; the CharLS 1.x inside
 * older dcmtk (3.6.7 included) computes them for MAXVAL &lt; 128 (precision 7 or less) with the
 * formula meant for larger MAXVAL and does not write them down, so its low-precision streams with
 * default parameters fail to decode here (CharLS issue #51; CT never uses such precisions). A
 * restart interval is decoded as independent of the ones before it: contexts, RUNindex and the
 * line above are all reset (the first line after RSTm is coded like the first line of the image).
 *
 * <p>Stateless and thread-safe; each call allocates two lines per component, a few small tables
 * and, when it is smaller than the frame, a table of quantized gradients (2·MAXVAL + 1 bytes).
 */
public final class JpegLsCodec implements FrameCodec {
    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DNL = 0xDC;
    private static final int DRI = 0xDD;
    private static final int SOF55 = 0xF7;
    private static final int LSE = 0xF8;
    private static final int SOF57 = 0xF9;
    private static final int APP8 = 0xE8;

    @Override
    public void decode(byte[] src, int off, int len, FrameInfo info, short[] out) throws CodecException {
        if (src == null || info == null || out == null) {
            throw new CodecException("JPEG-LS: no data to decode");
        }
        if (off < 0 || len < 0 || off > src.length - len) {
            throw new CodecException("JPEG-LS: frame [" + off + ", +" + len + ") lies outside a buffer of "
                                     + src.length + " bytes");
        }
        if (info.rows() <= 0 || info.columns() <= 0 || info.samplesPerPixel() < 1 || info.samplesPerPixel() > 4
            || (info.bitsAllocated() != 8 && info.bitsAllocated() != 16) || info.bitsStored() < 1
            || info.bitsStored() > info.bitsAllocated()) {
            throw new CodecException("JPEG-LS: unsupported pixel format " + info);
        }
        long samples = (long) info.rows() * info.columns() * info.samplesPerPixel();
        if (samples > Integer.MAX_VALUE || out.length < samples) {
            throw new CodecException("JPEG-LS: output holds " + out.length + " samples, the frame has " + samples);
        }
        try {
            new Frame(src, off, off + len, info, out).decode();
        } catch (RuntimeException e) {
            // Never expected; the contract allows only CodecException out of a codec.
            throw new CodecException("JPEG-LS: internal error (" + e + ")");
        }
    }

    /** The state of decoding one frame: markers, frame header, preset parameters, scans. */
    private static final class Frame {
        private final byte[] src;
        private final int start;
        private final int end;
        private final FrameInfo info;
        private final short[] out;

        private boolean haveFrame;
        private int precision;
        private int lines;
        private int columns;
        private int[] componentIds;
        private boolean[] decoded;
        private int scans;

        /** Preset coding parameters of the last LSE id 1 segment (0: default). */
        private int presetMaxval;
        private int presetT1;
        private int presetT2;
        private int presetT3;
        private int presetReset;
        private int restartInterval;

        Frame(byte[] src, int start, int end, FrameInfo info, short[] out) {
            this.src = src;
            this.start = start;
            this.end = end;
            this.info = info;
            this.out = out;
        }

        void decode() throws CodecException {
            if (end - start < 2 || src[start] != (byte) 0xFF || (src[start + 1] & 0xFF) != SOI) {
                throw new CodecException("JPEG-LS: the frame does not start with an SOI marker");
            }
            int p = start + 2;
            while (true) {
                if (p >= end) {
                    finish("the data ends");
                    return;
                }
                if (src[p] != (byte) 0xFF) {
                    throw new CodecException(String.format("JPEG-LS: expected a marker at byte %d, found 0x%02X",
                                                           p - start, src[p] & 0xFF));
                }
                while (p < end && src[p] == (byte) 0xFF) {
                    p++; // fill bytes
                }
                if (p >= end) {
                    finish("the data ends");
                    return;
                }
                int code = src[p] & 0xFF;
                int markerAt = p - 1;
                p++;
                if (code == EOI) {
                    finish("EOI");
                    return;
                }
                if (code == 0x01) {
                    continue; // TEM, stands alone
                }
                if (code == SOI || (code >= 0xD0 && code <= 0xD7) || code < 0xC0) {
                    throw new CodecException(String.format("JPEG-LS: unexpected marker FF%02X at byte %d", code,
                                                           markerAt - start));
                }
                int length = segmentLength(p, code);
                int body = p + 2;
                int next = p + length;
                switch (code) {
                    case SOF55 -> readFrameHeader(body, length - 2);
                    case LSE -> readPresets(body, length - 2);
                    case DRI -> readRestartInterval(body, length - 2);
                    case SOS -> next = readScan(body, length - 2);
                    case SOF57 -> throw new CodecException(
                        "JPEG-LS: JPEG-LS extensions (ITU-T T.870, SOF57) are not supported");
                    case DNL -> {
                        // Only meaningful with 0 lines in the frame header, which is refused.
                    }
                    case APP8 -> checkColourTransform(body, length - 2);
                    default -> {
                        if (code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC) {
                            throw new CodecException(String.format(
                                "JPEG-LS: not a JPEG-LS frame (SOF marker FF%02X)", code));
                        }
                        // APPn, COM and other segments: skipped.
                    }
                }
                p = next;
            }
        }

        /** Checks at the end of the frame that every component was decoded. */
        private void finish(String what) throws CodecException {
            if (!haveFrame) {
                throw new CodecException("JPEG-LS: " + what + " before the frame header (SOF55)");
            }
            for (int i = 0; i < decoded.length; i++) {
                if (!decoded[i]) {
                    throw new CodecException("JPEG-LS: " + what + " before component " + componentIds[i]
                                             + " was decoded" + (scans == 0 ? " (no scan)" : ""));
                }
            }
        }

        private int segmentLength(int p, int code) throws CodecException {
            if (p + 2 > end) {
                throw new CodecException(String.format("JPEG-LS: data ends in the FF%02X marker segment", code));
            }
            int length = u16(p);
            if (length < 2) {
                throw new CodecException(String.format("JPEG-LS: FF%02X segment length %d is too short", code, length));
            }
            if (length > end - p) {
                throw new CodecException(String.format("JPEG-LS: data ends in the FF%02X marker segment", code));
            }
            return length;
        }

        private int u16(int p) {
            return ((src[p] & 0xFF) << 8) | (src[p + 1] & 0xFF);
        }

        private int u8(int p) {
            return src[p] & 0xFF;
        }

        /** SOF55: P, Y, X, Nf, then per component C, H/V, Tq (T.87 C.2.2). */
        private void readFrameHeader(int p, int length) throws CodecException {
            if (haveFrame) {
                throw new CodecException("JPEG-LS: second frame header");
            }
            if (length < 6) {
                throw new CodecException("JPEG-LS: frame header too short");
            }
            precision = u8(p);
            lines = u16(p + 1);
            columns = u16(p + 3);
            int nf = u8(p + 5);
            if (length < 6 + 3 * nf) {
                throw new CodecException("JPEG-LS: frame header too short for " + nf + " components");
            }
            if (precision < 2 || precision > 16) {
                throw new CodecException("JPEG-LS: precision " + precision + " bits outside 2..16");
            }
            if (precision > info.bitsAllocated()) {
                throw new CodecException("JPEG-LS: precision " + precision + " bits does not fit BitsAllocated "
                                         + info.bitsAllocated());
            }
            if (nf != info.samplesPerPixel()) {
                throw new CodecException("JPEG-LS: the frame has " + nf + (nf == 1 ? " component" : " components")
                                         + ", the DICOM header says " + info.samplesPerPixel());
            }
            componentIds = new int[nf];
            decoded = new boolean[nf];
            int sampling = -1;
            for (int i = 0; i < nf; i++) {
                int id = u8(p + 6 + 3 * i);
                for (int j = 0; j < i; j++) {
                    if (componentIds[j] == id) {
                        throw new CodecException("JPEG-LS: component id " + id + " appears twice in the frame header");
                    }
                }
                componentIds[i] = id;
                int hv = u8(p + 7 + 3 * i);
                if (sampling >= 0 && hv != sampling) {
                    throw new CodecException("JPEG-LS: subsampled components are not supported");
                }
                sampling = hv;
            }
            haveFrame = true;
        }

        /** LSE (T.87 C.2.4): id 1 preset parameters, id 4 oversize dimensions; mapping tables refused. */
        private void readPresets(int p, int length) throws CodecException {
            if (length < 1) {
                throw new CodecException("JPEG-LS: empty LSE segment");
            }
            int id = u8(p);
            switch (id) {
                case 1 -> {
                    if (length < 11) {
                        throw new CodecException("JPEG-LS: preset parameter segment (LSE id 1) too short");
                    }
                    presetMaxval = u16(p + 1);
                    presetT1 = u16(p + 3);
                    presetT2 = u16(p + 5);
                    presetT3 = u16(p + 7);
                    presetReset = u16(p + 9);
                }
                case 2, 3 -> throw new CodecException("JPEG-LS: mapping tables (LSE id " + id + ") are not supported");
                case 4 -> {
                    if (!haveFrame) {
                        throw new CodecException("JPEG-LS: oversize dimensions (LSE id 4) before the frame header");
                    }
                    int wxy = length >= 2 ? u8(p + 1) : 0;
                    if (wxy < 2 || wxy > 4 || length < 2 + 2 * wxy) {
                        throw new CodecException("JPEG-LS: invalid oversize dimension segment (LSE id 4)");
                    }
                    long y = 0;
                    long x = 0;
                    for (int i = 0; i < wxy; i++) {
                        y = (y << 8) | u8(p + 2 + i);
                        x = (x << 8) | u8(p + 2 + wxy + i);
                    }
                    if (y > Integer.MAX_VALUE || x > Integer.MAX_VALUE) {
                        throw new CodecException("JPEG-LS: frame of " + x + "x" + y + " samples is too large");
                    }
                    lines = (int) y;
                    columns = (int) x;
                }
                default -> throw new CodecException("JPEG-LS: unknown LSE segment id " + id);
            }
        }

        /** DRI, whose interval may have 2, 3 or 4 bytes in JPEG-LS (T.87 C.2.5). */
        private void readRestartInterval(int p, int length) throws CodecException {
            if (length < 2 || length > 4) {
                throw new CodecException("JPEG-LS: invalid restart interval segment");
            }
            long ri = 0;
            for (int i = 0; i < length; i++) {
                ri = (ri << 8) | u8(p + i);
            }
            restartInterval = (int) Math.min(ri, Integer.MAX_VALUE);
        }

        /** APP8 "mrfx": the HP colour transforms that CharLS may write; only "none" is accepted. */
        private void checkColourTransform(int p, int length) throws CodecException {
            if (length >= 5 && src[p] == 'm' && src[p + 1] == 'r' && src[p + 2] == 'f' && src[p + 3] == 'x'
                && src[p + 4] != 0) {
                throw new CodecException("JPEG-LS: HP colour transform " + u8(p + 4) + " (APP8 mrfx) is not supported");
            }
        }

        /**
         * SOS (T.87 C.2.3): Ns, per component Cs and Tm, NEAR, ILV, point transform; then the scan's
         * data, decoded.
         *
         * @return position of the marker after the scan's data
         */
        private int readScan(int p, int length) throws CodecException {
            if (!haveFrame) {
                throw new CodecException("JPEG-LS: scan before the frame header");
            }
            if (lines == 0) {
                throw new CodecException("JPEG-LS: number of lines deferred to a DNL marker is not supported");
            }
            if (lines != info.rows() || columns != info.columns()) {
                throw new CodecException("JPEG-LS: frame is " + columns + "x" + lines + ", the DICOM header says "
                                         + info.columns() + "x" + info.rows());
            }
            if (length < 1) {
                throw new CodecException("JPEG-LS: scan header too short");
            }
            int ns = u8(p);
            if (ns < 1 || ns > componentIds.length || length < 4 + 2 * ns) {
                throw new CodecException("JPEG-LS: invalid scan header (" + ns + " components)");
            }
            int[] outComponent = new int[ns];
            for (int i = 0; i < ns; i++) {
                int id = u8(p + 1 + 2 * i);
                int table = u8(p + 2 + 2 * i);
                int index = -1;
                for (int j = 0; j < componentIds.length; j++) {
                    if (componentIds[j] == id) {
                        index = j;
                    }
                }
                if (index < 0) {
                    throw new CodecException("JPEG-LS: scan names component " + id + ", absent from the frame header");
                }
                if (decoded[index]) {
                    throw new CodecException("JPEG-LS: component " + id + " is coded twice");
                }
                if (table != 0) {
                    throw new CodecException("JPEG-LS: mapping table " + table + " of component " + id
                                             + " is not supported");
                }
                decoded[index] = true;
                outComponent[i] = index;
            }
            int q = p + 1 + 2 * ns;
            int near = u8(q);
            int ilv = u8(q + 1);
            int pointTransform = u8(q + 2);
            if (ilv > 2) {
                throw new CodecException("JPEG-LS: invalid interleave mode " + ilv);
            }
            if (ns == 1) {
                ilv = 0;
            } else if (ilv == 0) {
                throw new CodecException("JPEG-LS: " + ns + " components in a non-interleaved scan");
            }
            if (pointTransform != 0) {
                throw new CodecException("JPEG-LS: point transform " + pointTransform + " is not supported");
            }

            // Coding parameters (T.87 C.2.4.1.1).
            int maxPossible = (1 << precision) - 1;
            int maxval = presetMaxval != 0 ? presetMaxval : maxPossible;
            if (maxval > maxPossible) {
                throw new CodecException("JPEG-LS: MAXVAL " + maxval + " exceeds the " + precision + "-bit precision");
            }
            if (near > Math.min(255, maxval / 2)) {
                throw new CodecException("JPEG-LS: NEAR " + near + " is invalid for MAXVAL " + maxval);
            }
            int[] t = defaultThresholds(maxval, near);
            int t1 = presetT1 != 0 ? presetT1 : t[0];
            int t2 = presetT2 != 0 ? presetT2 : t[1];
            int t3 = presetT3 != 0 ? presetT3 : t[2];
            int reset = presetReset != 0 ? presetReset : 64;
            if (t1 < near + 1 || t1 > maxval || t2 < t1 || t2 > maxval || t3 < t2 || t3 > maxval || reset < 3
                || reset > Math.max(255, maxval)) {
                throw new CodecException("JPEG-LS: invalid preset parameters (MAXVAL " + maxval + ", T1 " + t1
                                         + ", T2 " + t2 + ", T3 " + t3 + ", RESET " + reset + ", NEAR " + near + ")");
            }
            scans++;
            JpegLsScanDecoder scan = new JpegLsScanDecoder(src, p + length, end, columns, lines, ilv, out,
                                                           componentIds.length, outComponent, maxval, near, t1, t2,
                                                           t3, reset, restartInterval);
            return scan.decode();
        }

        /** Default thresholds T1, T2, T3 for MAXVAL and NEAR (T.87 C.2.4.1.1.1). */
        static int[] defaultThresholds(int maxval, int near) {
            int t1;
            int t2;
            int t3;
            if (maxval >= 128) {
                int factor = (Math.min(maxval, 4095) + 128) / 256;
                t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxval);
                t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1, maxval);
                t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2, maxval);
            } else {
                int factor = 256 / (maxval + 1);
                t1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1, maxval);
                t2 = clamp(Math.max(3, 7 / factor + 5 * near), t1, maxval);
                t3 = clamp(Math.max(4, 21 / factor + 7 * near), t2, maxval);
            }
            return new int[] {t1, t2, t3};
        }

        private static int clamp(int i, int j, int maxval) {
            return i > maxval || i < j ? j : i;
        }
    }
}
