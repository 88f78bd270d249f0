package lessismore.io.codec;

import java.util.Arrays;

/**
 * Decodes the entropy-coded data of one JPEG-LS scan (ITU-T T.87 | ISO/IEC 14495-1, Annex A for
 * one component and Annex B for interleaved components) straight into the caller's output.
 *
 * <p>One instance per scan: it holds the bit reader, the context variables (A, B, C, N for the 365
 * regular contexts and A, N, Nn for the two run-interruption contexts) and two line buffers per
 * component. Line buffers carry one extra sample at each end: index 0 is the sample left of the
 * first column (T.87 A.2.1: equal to the first sample of the line above) and index {@code width + 1}
 * the sample right of the last column (equal to the last sample of its own line).
 *
 * <p>Damaged data never reads outside {@code src[start, end)}: the reader stops at the end of the
 * entropy-coded segment (the first marker, or {@code end}) and from there on supplies zero bits,
 * counting them; a line that consumed any of them ends the decode with "data ends in line N of M".
 * Every code word is checked against the range a conformant encoder can produce, so context
 * variables stay bounded whatever the input.
 */
final class JpegLsScanDecoder {
    /** Run-length order table J of T.87 A.7.1.2. */
    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                    4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int MIN_C = -128;
    private static final int MAX_C = 127;
    /** Index of the two run-interruption contexts (RItype 0 and 1) in {@link #a}, {@link #n}, {@link #nn}. */
    private static final int RI_CONTEXT = 365;

    // ---- input -------------------------------------------------------------------------------
    private final byte[] src;
    private final int end;
    /** Next byte of entropy-coded data to load into {@link #buf}. */
    private int pos;
    /** Unread bits, left-aligned (the next bit is bit 63); bits below {@link #cnt} are zero. */
    private long buf;
    /** Number of valid bits in {@link #buf}, the zero bits supplied past the data included. */
    private int cnt;
    /** Zero bits supplied after the entropy-coded data ended (marker or end of the frame). */
    private int virtualBits;

    // ---- geometry ----------------------------------------------------------------------------
    private final int width;
    private final int height;
    private final int components;
    private final int interleave;
    private final short[] out;
    private final int outStride;
    private final int[] outComponent;
    private final int restartInterval;
    /** Line being decoded (0-based), for messages. */
    private int line;

    // ---- coding parameters (T.87 A.2.1 and C.2.4.1.1) -----------------------------------------
    private final int maxval;
    private final int near;
    private final int twoNearPlus1;
    private final int range;
    /** RANGE × (2·NEAR + 1): the modulo used to bring reconstructed values back into range. */
    private final int rangeTimesStep;
    private final int qbpp;
    private final int limit;
    private final int t1;
    private final int t2;
    private final int t3;
    private final int reset;

    // ---- context variables ------------------------------------------------------------------
    private final long[] a = new long[RI_CONTEXT + 2];
    private final int[] b = new int[RI_CONTEXT];
    private final int[] c = new int[RI_CONTEXT];
    private final int[] n = new int[RI_CONTEXT + 2];
    private final int[] nn = new int[RI_CONTEXT + 2];
    /** RUNindex, one per component of the scan in line-interleaved mode, [0] otherwise. */
    private final int[] runIndex;
    /** Scratch for the sample-interleaved mode: the context number of each component. */
    private final int[] qs;
    /**
     * Quantized gradient for every gradient -MAXVAL..MAXVAL (index + MAXVAL), or null where that
     * table would be large beside the frame (then {@link #quantize} compares).
     */
    private final byte[] quantized;

    /**
     * @param src             the frame's bytes
     * @param start           first byte of the entropy-coded data (just after the SOS segment)
     * @param end             end of the frame (exclusive)
     * @param width           samples per line
     * @param height          lines
     * @param interleave      0 (one component), 1 (line) or 2 (sample)
     * @param out             output samples
     * @param outStride       samples per pixel in {@code out}
     * @param outComponent    for each component of the scan, its index within an output pixel
     * @param maxval          MAXVAL
     * @param near            NEAR
     * @param t1              threshold T1
     * @param t2              threshold T2
     * @param t3              threshold T3
     * @param reset           RESET
     * @param restartInterval lines per restart interval, 0 for none
     */
    JpegLsScanDecoder(byte[] src, int start, int end, int width, int height, int interleave, short[] out,
                      int outStride, int[] outComponent, int maxval, int near, int t1, int t2, int t3, int reset,
                      int restartInterval) {
        this.src = src;
        this.pos = start;
        this.end = end;
        this.width = width;
        this.height = height;
        this.components = outComponent.length;
        this.interleave = interleave;
        this.out = out;
        this.outStride = outStride;
        this.outComponent = outComponent;
        this.restartInterval = restartInterval;
        this.maxval = maxval;
        this.near = near;
        this.twoNearPlus1 = 2 * near + 1;
        this.range = (maxval + 2 * near) / (2 * near + 1) + 1;
        this.rangeTimesStep = range * twoNearPlus1;
        this.qbpp = ceilLog2(range);
        int bpp = Math.max(2, ceilLog2(maxval + 1));
        this.limit = 2 * (bpp + Math.max(8, bpp));
        this.t1 = t1;
        this.t2 = t2;
        this.t3 = t3;
        this.reset = reset;
        this.runIndex = new int[components];
        this.qs = new int[components];
        long tableSize = 2L * maxval + 1;
        if (tableSize <= (long) width * height * components) {
            quantized = new byte[(int) tableSize];
            for (int d = -maxval; d <= maxval; d++) {
                quantized[d + maxval] = (byte) quantize(d);
            }
        } else {
            quantized = null;
        }
        resetContexts();
    }

    /** Smallest k with 2^k ≥ v (v ≥ 1). */
    static int ceilLog2(int v) {
        return v <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(v - 1);
    }

    /** T.87 A.2.1: initial context variables; also at each restart marker. */
    private void resetContexts() {
        long aInit = Math.max(2, (range + 32) / 64);
        Arrays.fill(a, aInit);
        Arrays.fill(b, 0);
        Arrays.fill(c, 0);
        Arrays.fill(n, 1);
        Arrays.fill(nn, 0);
        Arrays.fill(runIndex, 0);
    }

    /**
     * Decodes the whole scan.
     *
     * @return the position of the marker that follows the scan's data, or {@code end} when none
     */
    int decode() throws CodecException {
        if (interleave == 2) {
            decodeSampleInterleaved();
        } else {
            decodeLines();
        }
        int marker = findMarker(pos);
        return marker < 0 ? end : marker;
    }

    // ---- scan structure ------------------------------------------------------------------------

    /** Interleave mode 0 (one component) or 1 (one line of each component in turn). */
    private void decodeLines() throws CodecException {
        int lineLength = width + 2;
        int[][] prev = new int[components][lineLength];
        int[][] cur = new int[components][lineLength];
        for (int y = 0; y < height; y++) {
            line = y;
            if (y > 0 && restartInterval > 0 && y % restartInterval == 0) {
                restart();
                for (int i = 0; i < components; i++) {
                    Arrays.fill(prev[i], 0);
                    Arrays.fill(cur[i], 0);
                }
            }
            for (int i = 0; i < components; i++) {
                int[] p = prev[i];
                int[] q = cur[i];
                decodeLine(p, q, i);
                int o = y * width * outStride + outComponent[i];
                for (int x = 1; x <= width; x++, o += outStride) {
                    out[o] = (short) q[x];
                }
                prev[i] = q;
                cur[i] = p;
            }
            checkLineComplete();
        }
    }

    /** Interleave mode 2: all components of a pixel before the next pixel. */
    private void decodeSampleInterleaved() throws CodecException {
        int lineLength = (width + 2) * components;
        int[] prev = new int[lineLength];
        int[] cur = new int[lineLength];
        for (int y = 0; y < height; y++) {
            line = y;
            if (y > 0 && restartInterval > 0 && y % restartInterval == 0) {
                restart();
                Arrays.fill(prev, 0);
                Arrays.fill(cur, 0);
            }
            decodePixelLine(prev, cur);
            int o = y * width * outStride;
            for (int x = 1; x <= width; x++, o += outStride) {
                for (int i = 0; i < components; i++) {
                    out[o + outComponent[i]] = (short) cur[x * components + i];
                }
            }
            int[] t = prev;
            prev = cur;
            cur = t;
            checkLineComplete();
        }
    }

    /**
     * At the end of a restart interval: the data is padded to a byte boundary and followed by a
     * RSTm marker; after it everything starts afresh, the first line of the interval being coded
     * like the first line of an image (the caller clears the line buffers).
     */
    private void restart() throws CodecException {
        int marker = findMarker(pos);
        if (marker < 0) {
            throw new CodecException("JPEG-LS: data ends before the restart marker of line " + (line + 1)
                                     + " of " + height);
        }
        int code = src[marker + 1] & 0xFF;
        if (code < 0xD0 || code > 0xD7) {
            throw new CodecException(String.format("JPEG-LS: expected a restart marker before line %d of %d, found FF%02X",
                                                   line + 1, height, code));
        }
        pos = marker + 2;
        buf = 0;
        cnt = 0;
        virtualBits = 0;
        resetContexts();
    }

    /** Throws when the line just decoded needed bits past the end of the entropy-coded data. */
    private void checkLineComplete() throws CodecException {
        if (virtualBits > cnt) {
            throw truncated();
        }
    }

    private CodecException truncated() {
        int p = pos;
        while (p + 1 < end && src[p] == (byte) 0xFF && src[p + 1] == (byte) 0xFF) {
            p++; // fill bytes before a marker
        }
        if (p + 1 < end && src[p] == (byte) 0xFF) {
            return new CodecException(String.format("JPEG-LS: scan data ends at marker FF%02X in line %d of %d",
                                                    src[p + 1] & 0xFF, line + 1, height));
        }
        return new CodecException("JPEG-LS: data ends in line " + (line + 1) + " of " + height);
    }

    private CodecException corrupt(String what) {
        if (virtualBits > cnt) {
            return truncated(); // the real cause: the code word ran past the end of the data
        }
        return new CodecException("JPEG-LS: " + what + " in line " + (line + 1) + " of " + height);
    }

    /**
     * First marker at or after {@code from}: 0xFF followed by a byte ≥ 0x80 other than 0xFF (a
     * run of 0xFF bytes is fill before the marker). -1 when there is none.
     */
    int findMarker(int from) {
        for (int i = from; i + 1 < end; i++) {
            if (src[i] == (byte) 0xFF) {
                int next = src[i + 1] & 0xFF;
                if (next >= 0x80 && next != 0xFF) {
                    return i;
                }
            }
        }
        return -1;
    }

    // ---- one component ---------------------------------------------------------------------------

    /**
     * Decodes one line of one component into {@code cur[1..width]}, {@code prev} holding the line
     * above (with its left neighbour at index 0).
     */
    private void decodeLine(int[] prev, int[] cur, int component) throws CodecException {
        final int w = width;
        final int nr = near;
        final byte[] lut = quantized;
        final int mv = maxval;
        prev[w + 1] = prev[w];
        cur[0] = prev[1];
        int x = 1;
        while (x <= w) {
            int ra = cur[x - 1];
            int rb = prev[x];
            int rc = prev[x - 1];
            int rd = prev[x + 1];
            int d1 = rd - rb;
            int d2 = rb - rc;
            int d3 = rc - ra;
            if (d1 <= nr && d1 >= -nr && d2 <= nr && d2 >= -nr && d3 <= nr && d3 >= -nr) {
                x = runMode(prev, cur, x, component);
            } else {
                int q = lut != null
                        ? 81 * lut[d1 + mv] + 9 * lut[d2 + mv] + lut[d3 + mv]
                        : 81 * quantize(d1) + 9 * quantize(d2) + quantize(d3);
                cur[x] = regular(q, ra, rb, rc);
                x++;
            }
        }
        cur[w + 1] = cur[w];
    }

    /**
     * Run mode (T.87 A.7) from column {@code x}: the run of samples equal to Ra, then, unless the
     * run reaches the end of the line, the run-interruption sample.
     *
     * @return the next column to decode
     */
    private int runMode(int[] prev, int[] cur, int x, int component) throws CodecException {
        final int w = width;
        int ra = cur[x - 1];
        int remaining = w - x + 1;
        int count = 0;
        int ri = runIndex[component];
        boolean interrupted = false;
        while (count < remaining) {
            if (readBit() != 0) {
                int rm = 1 << J[ri];
                if (rm <= remaining - count) {
                    count += rm;
                    if (ri < 31) {
                        ri++;
                    }
                } else {
                    count = remaining;
                }
            } else {
                int j = J[ri];
                int more = j > 0 ? readBits(j) : 0;
                count += more;
                if (count >= remaining) {
                    throw corrupt("run longer than the line");
                }
                interrupted = true;
                break;
            }
        }
        for (int i = x, e = x + count; i < e; i++) {
            cur[i] = ra;
        }
        x += count;
        if (interrupted) {
            int rb = prev[x];
            cur[x] = interruption(ra, rb, ri, Math.abs(ra - rb) <= near ? 1 : 0);
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        runIndex[component] = ri;
        return x;
    }

    // ---- sample-interleaved components -------------------------------------------------------------

    private void decodePixelLine(int[] prev, int[] cur) throws CodecException {
        final int w = width;
        final int nc = components;
        for (int i = 0; i < nc; i++) {
            prev[(w + 1) * nc + i] = prev[w * nc + i];
            cur[i] = prev[nc + i];
        }
        int x = 1;
        while (x <= w) {
            boolean flat = true;
            for (int i = 0; i < nc; i++) {
                int here = x * nc + i;
                int ra = cur[here - nc];
                int rb = prev[here];
                int rc = prev[here - nc];
                int rd = prev[here + nc];
                int d1 = rd - rb;
                int d2 = rb - rc;
                int d3 = rc - ra;
                int q = 81 * quantize(d1) + 9 * quantize(d2) + quantize(d3);
                qs[i] = q;
                flat &= q == 0;
            }
            if (flat) {
                x = runModePixels(prev, cur, x);
            } else {
                for (int i = 0; i < nc; i++) {
                    int here = x * nc + i;
                    cur[here] = regular(qs[i], cur[here - nc], prev[here], prev[here - nc]);
                }
                x++;
            }
        }
        for (int i = 0; i < nc; i++) {
            cur[(w + 1) * nc + i] = cur[w * nc + i];
        }
    }

    /**
     * Run mode over whole pixels (T.87 B.3): every component of a run pixel equals its Ra (within
     * NEAR); the interruption pixel codes each component in turn.
     */
    private int runModePixels(int[] prev, int[] cur, int x) throws CodecException {
        final int w = width;
        final int nc = components;
        int remaining = w - x + 1;
        int count = 0;
        int ri = runIndex[0];
        boolean interrupted = false;
        while (count < remaining) {
            if (readBit() != 0) {
                int rm = 1 << J[ri];
                if (rm <= remaining - count) {
                    count += rm;
                    if (ri < 31) {
                        ri++;
                    }
                } else {
                    count = remaining;
                }
            } else {
                int j = J[ri];
                int more = j > 0 ? readBits(j) : 0;
                count += more;
                if (count >= remaining) {
                    throw corrupt("run longer than the line");
                }
                interrupted = true;
                break;
            }
        }
        int left = (x - 1) * nc;
        for (int p = x * nc, e = (x + count) * nc; p < e; p++) {
            cur[p] = cur[p - nc];
        }
        x += count;
        if (interrupted) {
            int here = x * nc;
            for (int i = 0; i < nc; i++) {
                // Each component in the run-interruption context of RItype 0, whatever |Ra - Rb|
                // (as CharLS, and with it dcmtk, codes it: the sample-interleaved fixtures check this).
                cur[here + i] = interruption(cur[left + i], prev[here + i], ri, 0);
            }
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        runIndex[0] = ri;
        return x;
    }

    // ---- sample coding ---------------------------------------------------------------------------

    /** T.87 A.3.3: gradient quantization to -4..4. */
    private int quantize(int d) {
        if (d <= -t3) {
            return -4;
        }
        if (d <= -t2) {
            return -3;
        }
        if (d <= -t1) {
            return -2;
        }
        if (d < -near) {
            return -1;
        }
        if (d <= near) {
            return 0;
        }
        if (d < t1) {
            return 1;
        }
        if (d < t2) {
            return 2;
        }
        if (d < t3) {
            return 3;
        }
        return 4;
    }

    /** Regular mode (T.87 A.4–A.6): one sample in context {@code q} (signed, -364..364). */
    private int regular(int q, int ra, int rb, int rc) throws CodecException {
        int sign = 1;
        if (q < 0) {
            q = -q;
            sign = -1;
        }
        // Median edge detector, then the bias correction of this context.
        int px;
        int mx = Math.max(ra, rb);
        int mn = Math.min(ra, rb);
        if (rc >= mx) {
            px = mn;
        } else if (rc <= mn) {
            px = mx;
        } else {
            px = ra + rb - rc;
        }
        px += sign * c[q];
        if (px < 0) {
            px = 0;
        } else if (px > maxval) {
            px = maxval;
        }

        int nq = n[q];
        long aq = a[q];
        int k = 0;
        while (((long) nq << k) < aq) {
            k++;
        }
        int merr = decodeValue(k, limit);
        if (merr > range) {
            throw corrupt("prediction error out of range");
        }
        int err;
        if (near == 0 && k == 0 && 2 * b[q] <= -nq) {
            err = (merr & 1) != 0 ? (merr - 1) >> 1 : -(merr >> 1) - 1;
        } else {
            err = (merr & 1) == 0 ? merr >> 1 : -((merr + 1) >> 1);
        }

        // Context update (A.6.1) and bias computation (A.6.2).
        int bq = b[q] + err * twoNearPlus1;
        aq += Math.abs(err);
        if (nq == reset) {
            aq >>= 1;
            bq >>= 1;
            nq >>= 1;
        }
        nq++;
        a[q] = aq;
        n[q] = nq;
        if (bq <= -nq) {
            bq += nq;
            if (c[q] > MIN_C) {
                c[q]--;
            }
            if (bq <= -nq) {
                bq = -nq + 1;
            }
        } else if (bq > 0) {
            bq -= nq;
            if (c[q] < MAX_C) {
                c[q]++;
            }
            if (bq > 0) {
                bq = 0;
            }
        }
        b[q] = bq;

        return reconstruct(px + sign * err * twoNearPlus1);
    }

    /**
     * Run-interruption sample (T.87 A.7.2) with neighbours Ra, Rb, the current RUNindex and RItype
     * (1 when |Ra − Rb| ≤ NEAR in a single-component line; always 0 for sample interleaving).
     */
    private int interruption(int ra, int rb, int ri, int riType) throws CodecException {
        int q = RI_CONTEXT + riType;
        int nq = n[q];
        long temp = riType == 0 ? a[q] : a[q] + (nq >> 1);
        int k = 0;
        while (((long) nq << k) < temp) {
            k++;
        }
        int em = decodeValue(k, limit - J[ri] - 1);
        if (em > range + 1) {
            throw corrupt("run interruption error out of range");
        }
        int t = em + riType;
        boolean map = (t & 1) != 0;
        int abs = (t + 1) >> 1;
        int err = ((k != 0 || 2 * nn[q] >= nq) == map) ? -abs : abs;

        if (err < 0) {
            nn[q]++;
        }
        a[q] += (em + 1 - riType) >> 1;
        if (nq == reset) {
            a[q] >>= 1;
            nq >>= 1;
            nn[q] >>= 1;
        }
        n[q] = nq + 1;

        if (riType == 1) {
            return reconstruct(ra + err * twoNearPlus1);
        }
        return reconstruct(rb + (ra > rb ? -err : err) * twoNearPlus1);
    }

    /** Modulo reduction and clamping of a reconstructed value (T.87 A.4.4 / A.7.2). */
    private int reconstruct(int rx) {
        if (rx < -near) {
            rx += rangeTimesStep;
        } else if (rx > maxval + near) {
            rx -= rangeTimesStep;
        }
        if (rx < 0) {
            return 0;
        }
        return Math.min(rx, maxval);
    }

    // ---- bits ------------------------------------------------------------------------------------

    /**
     * Loads bytes until more than 48 bits are buffered. After a 0xFF byte the next byte carries
     * only 7 bits (its most significant bit is a stuffed 0); 0xFF followed by a byte ≥ 0x80 is a
     * marker and ends the data, after which zero bits are supplied and counted.
     */
    private void fill() throws CodecException {
        while (cnt <= 48) {
            int p = pos;
            int v;
            if (p < end && (v = src[p] & 0xFF) != 0xFF) {
                buf |= (long) v << (56 - cnt);
                cnt += 8;
                pos = p + 1;
            } else {
                fillSpecial();
            }
        }
    }

    /** {@link #fill} at a 0xFF byte or at the end of the data: stuffed byte, marker or end. */
    private void fillSpecial() throws CodecException {
        int p = pos;
        if (p + 1 < end && src[p] == (byte) 0xFF && src[p + 1] >= 0) {
            buf |= 0xFFL << (56 - cnt);
            cnt += 8;
            buf |= (long) src[p + 1] << (57 - cnt);
            cnt += 7;
            pos = p + 2;
            return;
        }
        cnt += 8;
        virtualBits += 8;
        if (virtualBits > 256) {
            // Over 200 bits past the end already consumed: no need to finish the line.
            throw truncated();
        }
    }

    private int readBit() throws CodecException {
        if (cnt == 0) {
            fill();
        }
        int bit = (int) (buf >>> 63);
        buf <<= 1;
        cnt--;
        return bit;
    }

    /** @param bits 1..32 */
    private int readBits(int bits) throws CodecException {
        if (cnt < bits) {
            fill();
        }
        int v = (int) (buf >>> (64 - bits));
        buf <<= bits;
        cnt -= bits;
        return v;
    }

    /**
     * Limited-length Golomb code (T.87 A.5.3): a unary prefix of zeros ended by a one; below
     * {@code glimit - qbpp - 1} zeros it is followed by {@code k} low bits, at exactly that many by
     * {@code qbpp} bits of the value minus one.
     */
    private int decodeValue(int k, int glimit) throws CodecException {
        if (cnt < 32) {
            fill();
        }
        int escape = glimit - qbpp - 1;
        long bits = buf;
        if (bits != 0) {
            // Fast path: a code word below the escape length, wholly in the buffer.
            int lz = Long.numberOfLeadingZeros(bits);
            int total = lz + 1 + k;
            if (lz < escape && total <= cnt && k <= 24) {
                long rest = bits << (lz + 1); // lz + 1 < 64: the escape length is at most 55
                cnt -= total;
                if (k == 0) {
                    buf = rest;
                    return lz;
                }
                buf = rest << k;
                return (lz << k) | (int) (rest >>> (64 - k));
            }
        }
        return decodeValueSlow(k, escape);
    }

    private int decodeValueSlow(int k, int escape) throws CodecException {
        if (cnt <= 48) {
            fill();
        }
        int prefix;
        if (buf != 0) {
            int lz = Long.numberOfLeadingZeros(buf);
            prefix = lz;
            buf = (buf << lz) << 1;
            cnt -= lz + 1;
        } else {
            prefix = 0;
            while (true) {
                prefix += cnt;
                buf = 0;
                cnt = 0;
                if (prefix > escape) {
                    throw corrupt("invalid Golomb code");
                }
                fill();
                if (buf != 0) {
                    int lz = Long.numberOfLeadingZeros(buf);
                    prefix += lz;
                    buf = (buf << lz) << 1;
                    cnt -= lz + 1;
                    break;
                }
            }
        }
        if (prefix < escape) {
            if (k == 0) {
                return prefix;
            }
            if (k > 24) {
                throw corrupt("invalid Golomb parameter");
            }
            return (prefix << k) | readBits(k);
        }
        if (prefix == escape) {
            return readBits(qbpp) + 1;
        }
        throw corrupt("invalid Golomb code");
    }
}
