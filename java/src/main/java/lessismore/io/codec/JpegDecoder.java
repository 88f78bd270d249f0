package lessismore.io.codec;

import java.util.Arrays;
import java.util.Locale;

/**
 * The state of decoding one JPEG frame (one call of {@link JpegCodec#decode}): marker parsing,
 * table definitions, and the scans of the two processes supported, lossless (SOF3, T.81 Annex H)
 * and Huffman sequential DCT (SOF0, SOF1; Annexes F and G without progression).
 */
final class JpegDecoder {
    /** Natural-order index of the k-th zig-zag coefficient, with 16 spare entries as in libjpeg. */
    private static final int[] NATURAL = new int[64 + 16];

    static {
        int k = 0;
        for (int s = 0; s < 15; s++) { // anti-diagonals u + v = s
            for (int i = 0; i <= s; i++) {
                int row = (s & 1) == 0 ? s - i : i;
                int col = s - row;
                if (row < 8 && col < 8) {
                    NATURAL[k++] = row * 8 + col;
                }
            }
        }
        // A corrupt run past the end of the block lands on coefficient 63, as in libjpeg.
        Arrays.fill(NATURAL, 64, NATURAL.length, 63);
    }

    private final byte[] src;
    private final int end;
    private final FrameInfo info;
    private final short[] out;
    private int pos;

    private final JpegHuffmanTable[] dcTables = new JpegHuffmanTable[4];
    private final JpegHuffmanTable[] acTables = new JpegHuffmanTable[4];
    private final int[][] quantTables = new int[4][];
    private int restartInterval;

    // Frame header.
    private int sof = -1;
    private int precision;
    private int width;
    private int height;
    private int nf;
    private int[] compId;
    private int[] compH;
    private int[] compV;
    private int[] compTq;
    private int hMax;
    private int vMax;
    private boolean[] compDone;
    private int compsDone;

    // Sequential DCT: one padded sample plane per component.
    private short[][] planes;
    private int[] planeStride;
    private int mcusX;
    private int mcusY;

    JpegDecoder(byte[] src, int off, int len, FrameInfo info, short[] out) {
        this.src = src;
        this.pos = off;
        this.end = off + len;
        this.info = info;
        this.out = out;
    }

    static CodecException error(String format, Object... args) {
        return new CodecException("JPEG: " + String.format(Locale.ROOT, format, args));
    }

    private static String markerName(int m) {
        return String.format(Locale.ROOT, "0xFF%02X", m);
    }

    void decode() throws CodecException {
        if (end - pos < 2 || (src[pos] & 0xFF) != 0xFF || (src[pos + 1] & 0xFF) != 0xD8) {
            String start = end - pos < 2 ? ""
                    : String.format(Locale.ROOT, ", it starts 0x%02X%02X", src[pos] & 0xFF, src[pos + 1] & 0xFF);
            throw error("not a JPEG stream (no SOI marker at the start%s)", start);
        }
        pos += 2;
        while (true) {
            int m = nextMarker();
            if (m < 0 || m == 0xD9) { // end of data or EOI
                break;
            }
            switch (m) {
                case 0xC0, 0xC1, 0xC3 -> readFrameHeader(m);
                case 0xC2 -> throw error("progressive DCT (SOF2) is not supported");
                case 0xC5, 0xC6, 0xC7 -> throw error("hierarchical (differential, SOF%d) is not supported", m - 0xC0);
                case 0xC9, 0xCA, 0xCB -> throw error("arithmetic coding (SOF%d) is not supported", m - 0xC0);
                case 0xCD, 0xCE, 0xCF ->
                        throw error("hierarchical arithmetic coding (SOF%d) is not supported", m - 0xC0);
                case 0xCC -> throw error("arithmetic coding (DAC marker) is not supported");
                case 0xDE, 0xDF ->
                        throw error("hierarchical JPEG (%s marker) is not supported", m == 0xDE ? "DHP" : "EXP");
                case 0xF7, 0xF8 -> throw error("this is a JPEG-LS stream (%s), not JPEG", markerName(m));
                case 0xC8 -> throw error("reserved marker 0xFFC8 (JPG extension) is not supported");
                case 0xC4 -> readHuffmanTables();
                case 0xDB -> readQuantTables();
                case 0xDD -> readRestartInterval();
                case 0xDA -> readScan();
                case 0xDC -> throw error("DNL marker (frame height defined after the scan) is not supported");
                case 0xD8 -> throw error("second SOI marker inside the stream");
                case 0x01 -> { } // TEM: no segment
                default -> {
                    if (m >= 0xD0 && m <= 0xD7) {
                        continue; // stray RSTn between segments: no segment, ignore
                    }
                    skipSegment(m); // APPn, COM, JPGn and the like
                }
            }
            if (sof >= 0 && compsDone == nf) {
                break; // every component decoded: whatever follows does not matter
            }
        }
        if (sof < 0) {
            throw error("no frame header (SOF) before the end of the data");
        }
        if (compsDone == 0) {
            throw error("data ends before the first scan");
        }
        if (compsDone < nf) {
            for (int c = 0; c < nf; c++) {
                if (!compDone[c]) {
                    throw error("data ends before the scan of component %d", compId[c]);
                }
            }
        }
        if (sof != 0xC3) {
            writeDctOutput();
        }
    }

    /**
     * The next marker code, skipping fill bytes and any garbage before it; -1 at the end of the
     * data. Leaves {@link #pos} just after the marker code.
     */
    private int nextMarker() {
        while (pos < end) {
            if ((src[pos] & 0xFF) != 0xFF) {
                pos++;
                continue;
            }
            int q = pos + 1;
            while (q < end && (src[q] & 0xFF) == 0xFF) {
                q++;
            }
            if (q >= end) {
                pos = end;
                return -1;
            }
            int m = src[q] & 0xFF;
            pos = q + 1;
            if (m != 0) {
                return m;
            }
        }
        return -1;
    }

    /** Reads a segment's length field and returns the end of its payload. */
    private int segmentEnd(int m) throws CodecException {
        if (end - pos < 2) {
            throw error("data ends inside the %s marker segment", markerName(m));
        }
        int length = (src[pos] & 0xFF) << 8 | (src[pos + 1] & 0xFF);
        if (length < 2) {
            throw error("%s marker segment has an invalid length %d", markerName(m), length);
        }
        if (length > end - pos) {
            throw error("%s marker segment runs past the end of the data", markerName(m));
        }
        int segEnd = pos + length;
        pos += 2;
        return segEnd;
    }

    private void skipSegment(int m) throws CodecException {
        pos = segmentEnd(m);
    }

    private int u8() {
        return src[pos++] & 0xFF;
    }

    private int u16() {
        int v = (src[pos] & 0xFF) << 8 | (src[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    private void readFrameHeader(int m) throws CodecException {
        int segEnd = segmentEnd(m);
        if (sof >= 0) {
            throw error("more than one frame header (SOF)");
        }
        if (segEnd - pos < 6) {
            throw error("frame header (SOF%d) too short", m - 0xC0);
        }
        precision = u8();
        height = u16();
        width = u16();
        nf = u8();
        if (nf < 1 || nf > 4 || segEnd - pos != 3 * nf) {
            throw error("frame header (SOF%d) with %d components and length %d is malformed", m - 0xC0, nf,
                    segEnd - pos + 8);
        }
        compId = new int[nf];
        compH = new int[nf];
        compV = new int[nf];
        compTq = new int[nf];
        compDone = new boolean[nf];
        for (int c = 0; c < nf; c++) {
            compId[c] = u8();
            int hv = u8();
            compH[c] = hv >> 4;
            compV[c] = hv & 15;
            compTq[c] = u8();
            if (compH[c] < 1 || compH[c] > 4 || compV[c] < 1 || compV[c] > 4) {
                throw error("component %d has invalid sampling factors %dx%d", compId[c], compH[c], compV[c]);
            }
            if (compTq[c] > 3) {
                throw error("component %d uses quantization table %d (0..3 allowed)", compId[c], compTq[c]);
            }
            for (int d = 0; d < c; d++) {
                if (compId[d] == compId[c]) {
                    throw error("component identifier %d appears twice in the frame header", compId[c]);
                }
            }
            hMax = Math.max(hMax, compH[c]);
            vMax = Math.max(vMax, compV[c]);
        }
        pos = segEnd;
        // The process and its precisions.
        boolean lossless = m == 0xC3;
        if (m == 0xC0 && precision != 8) {
            throw error("baseline (SOF0) frame with sample precision %d (must be 8)", precision);
        }
        if (m == 0xC1 && precision != 8 && precision != 12) {
            throw error("extended sequential (SOF1) frame with sample precision %d (must be 8 or 12)", precision);
        }
        if (lossless && (precision < 2 || precision > 16)) {
            throw error("lossless (SOF3) frame with sample precision %d (must be 2..16)", precision);
        }
        // Agreement with the DICOM header.
        if (height == 0) {
            throw error("frame height 0 (defined later by a DNL marker) is not supported");
        }
        if (width != info.columns() || height != info.rows()) {
            throw error("frame is %dx%d but the DICOM header says %dx%d", width, height, info.columns(), info.rows());
        }
        if (nf != info.samplesPerPixel()) {
            throw error("frame has %d component%s but the DICOM header says SamplesPerPixel %d", nf,
                    nf == 1 ? "" : "s", info.samplesPerPixel());
        }
        if (precision > info.bitsAllocated()) {
            throw error("sample precision is %d bits but the DICOM header says BitsAllocated %d", precision,
                    info.bitsAllocated());
        }
        if (info.signed() && precision < info.bitsStored()) {
            throw error("sample precision is %d bits but the DICOM header says BitsStored %d (signed)", precision,
                    info.bitsStored());
        }
        if (lossless && nf > 1 && (hMax > 1 || vMax > 1)) {
            throw error("lossless frame with subsampled components is not supported");
        }
        sof = m;
        if (!lossless) {
            mcusX = ceilDiv(width, 8 * hMax);
            mcusY = ceilDiv(height, 8 * vMax);
            planes = new short[nf][];
            planeStride = new int[nf];
            for (int c = 0; c < nf; c++) {
                // whole MCUs: at most 31 samples more than the frame each way
                long size = (long) mcusX * compH[c] * 8 * mcusY * compV[c] * 8;
                if (size > Integer.MAX_VALUE - 16) {
                    throw error("frame %dx%d is too large to decode", width, height);
                }
                planeStride[c] = mcusX * compH[c] * 8;
                planes[c] = new short[(int) size];
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private void readHuffmanTables() throws CodecException {
        int segEnd = segmentEnd(0xC4);
        while (pos < segEnd) {
            if (segEnd - pos < 17) {
                throw error("Huffman table segment (DHT) too short");
            }
            int tcth = u8();
            int tc = tcth >> 4;
            int th = tcth & 15;
            if (tc > 1 || th > 3) {
                throw error("Huffman table class %d, identifier %d is not valid", tc, th);
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = u8();
                total += counts[l];
            }
            if (total > 256 || total > segEnd - pos) {
                throw error("Huffman table %s%d has %d codes, more than its segment holds", tc == 0 ? "DC" : "AC", th,
                        total);
            }
            byte[] vals = Arrays.copyOfRange(src, pos, pos + total);
            pos += total;
            (tc == 0 ? dcTables : acTables)[th] = new JpegHuffmanTable(counts, vals);
        }
    }

    private void readQuantTables() throws CodecException {
        int segEnd = segmentEnd(0xDB);
        while (pos < segEnd) {
            int pqtq = u8();
            int pq = pqtq >> 4;
            int tq = pqtq & 15;
            if (pq > 1 || tq > 3) {
                throw error("quantization table precision %d, identifier %d is not valid", pq, tq);
            }
            if (segEnd - pos < (pq + 1) * 64) {
                throw error("quantization table segment (DQT) too short");
            }
            int[] q = new int[64];
            for (int k = 0; k < 64; k++) {
                q[NATURAL[k]] = pq == 0 ? u8() : u16();
            }
            quantTables[tq] = q;
        }
    }

    private void readRestartInterval() throws CodecException {
        int segEnd = segmentEnd(0xDD);
        if (segEnd - pos != 2) {
            throw error("restart interval segment (DRI) has the wrong length");
        }
        restartInterval = u16();
    }

    private void readScan() throws CodecException {
        int segEnd = segmentEnd(0xDA);
        if (sof < 0) {
            throw error("scan (SOS) before the frame header (SOF)");
        }
        if (segEnd - pos < 1) {
            throw error("scan header (SOS) too short");
        }
        int ns = u8();
        if (ns < 1 || ns > 4 || segEnd - pos != 2 * ns + 3) {
            throw error("scan header (SOS) with %d components is malformed", ns);
        }
        int[] sc = new int[ns];
        int[] td = new int[ns];
        int[] ta = new int[ns];
        for (int i = 0; i < ns; i++) {
            int cs = u8();
            int t = u8();
            td[i] = t >> 4;
            ta[i] = t & 15;
            int c = 0;
            while (c < nf && compId[c] != cs) {
                c++;
            }
            if (c == nf) {
                throw error("scan refers to component %d, which is not in the frame", cs);
            }
            for (int j = 0; j < i; j++) {
                if (sc[j] == c) {
                    throw error("component %d appears twice in one scan", cs);
                }
            }
            if (compDone[c]) {
                throw error("component %d appears in more than one scan", cs);
            }
            sc[i] = c;
        }
        int ss = u8();
        u8(); // Se: 63 for DCT, 0 for lossless; libjpeg does not insist for sequential scans
        int ahal = u8();
        int al = ahal & 15;
        pos = segEnd;

        JpegHuffmanTable[] dc = new JpegHuffmanTable[ns];
        JpegHuffmanTable[] ac = new JpegHuffmanTable[ns];
        for (int i = 0; i < ns; i++) {
            if (td[i] > 3 || dcTables[td[i]] == null) {
                throw error("Huffman table DC%d used but not defined", td[i]);
            }
            dc[i] = dcTables[td[i]];
            if (sof != 0xC3) {
                if (ta[i] > 3 || acTables[ta[i]] == null) {
                    throw error("Huffman table AC%d used but not defined", ta[i]);
                }
                ac[i] = acTables[ta[i]];
                if (quantTables[compTq[sc[i]]] == null) {
                    throw error("quantization table %d used but not defined", compTq[sc[i]]);
                }
            }
        }
        if (sof == 0xC3) {
            if (ss < 1 || ss > 7) {
                throw error("lossless predictor (selection value) %d is not valid (1..7)", ss);
            }
            if (al >= precision) {
                throw error("point transform %d is not valid for %d-bit samples", al, precision);
            }
            decodeLosslessScan(sc, dc, ss, al);
        } else {
            if (ns > 1) {
                int blocks = 0;
                for (int c : sc) {
                    blocks += compH[c] * compV[c];
                }
                if (blocks > 10) {
                    throw error("interleaved scan with %d blocks per MCU (at most 10 allowed)", blocks);
                }
            }
            decodeDctScan(sc, dc, ac);
        }
        for (int c : sc) {
            compDone[c] = true;
            compsDone++;
        }
    }

    private CodecException truncated(int rowsDone) {
        return error("data ends inside the scan after %d of %d rows", Math.min(rowsDone, height), height);
    }

    /**
     * The decoder consumed bits past the scan data: the data ended (or an EOI came early), or
     * some other marker interrupted the scan.
     */
    private CodecException overrun(JpegBitReader r, int rowsDone) {
        int p = r.position();
        while (p < end - 1 && (src[p] & 0xFF) == 0xFF && (src[p + 1] & 0xFF) == 0xFF) {
            p++;
        }
        if (p < end - 1 && (src[p] & 0xFF) == 0xFF && (src[p + 1] & 0xFF) != 0xD9) {
            return error("scan interrupted by marker %s after %d of %d rows", markerName(src[p + 1] & 0xFF),
                    Math.min(rowsDone, height), height);
        }
        return truncated(rowsDone);
    }

    private CodecException badCode(JpegBitReader r, int rowsDone) {
        if (r.overrun() || r.nearEnd()) {
            return overrun(r, rowsDone);
        }
        return error("invalid Huffman code in the scan after %d of %d rows", Math.min(rowsDone, height), height);
    }

    /**
     * At the end of a restart interval: drops the interval's padding bits and reads the expected
     * RSTn marker (any garbage before it is skipped, as libjpeg does).
     */
    private void restart(JpegBitReader r, int expected, int rowsDone) throws CodecException {
        if (r.overrun()) {
            throw overrun(r, rowsDone);
        }
        int p = r.position();
        while (true) {
            if (p >= end - 1) {
                throw truncated(rowsDone);
            }
            if ((src[p] & 0xFF) == 0xFF) {
                int m = src[p + 1] & 0xFF;
                if (m == 0xFF) {
                    p++;
                    continue;
                }
                if (m != 0) {
                    if (m == 0xD0 + expected) {
                        r.restartAt(p + 2);
                        return;
                    }
                    if (m == 0xD9) {
                        throw truncated(rowsDone);
                    }
                    throw error("restart marker RST%d expected but found %s after %d of %d rows", expected,
                            markerName(m), Math.min(rowsDone, height), height);
                }
                p += 2;
                continue;
            }
            p++;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Lossless (T.81 Annex H): predict each sample from its decoded neighbours, add the difference.

    private void decodeLosslessScan(int[] sc, JpegHuffmanTable[] tables, int psv, int pt) throws CodecException {
        final int ns = sc.length;
        final int w = width;
        final int h = height;
        final int ri = restartInterval;
        if (ri % w != 0) {
            // T.81 H.1.2.1 defines prediction after a restart only for whole lines; libjpeg (and
            // so dcmtk) refuses other intervals too.
            throw error("lossless restart interval %d is not a multiple of the line length %d", ri, w);
        }
        final int outMask = info.bitsAllocated() == 8 ? 0xFF : 0xFFFF;
        final int initialPrediction = 1 << (precision - pt - 1);
        final int rowsPerInterval = ri / w; // 0: no restarts
        int[][] prev = new int[ns][w];
        int[][] cur = new int[ns][w];
        int[][] diff = new int[ns][w];
        int[][] fast = new int[ns][];
        for (int i = 0; i < ns; i++) {
            fast[i] = tables[i].differences();
        }
        JpegBitReader r = new JpegBitReader(src, pos, end);
        int restartRow = 0;
        int nextRst = 0;
        for (int y = 0; y < h; y++) {
            if (rowsPerInterval > 0 && y > 0 && y % rowsPerInterval == 0) {
                restart(r, nextRst, y);
                nextRst = (nextRst + 1) & 7;
                restartRow = y;
            }
            // Entropy decoding of the row's differences, then prediction: two tight loops.
            if (ns == 1) {
                int[] d = diff[0];
                JpegHuffmanTable t = tables[0];
                int[] f0 = fast[0];
                for (int x = 0; x < w; x++) {
                    int v = r.difference(t, f0);
                    if (v < -32768) {
                        throw badDifference(r, v, y);
                    }
                    d[x] = v;
                }
            } else {
                for (int x = 0; x < w; x++) {
                    for (int i = 0; i < ns; i++) {
                        int v = r.difference(tables[i], fast[i]);
                        if (v < -32768) {
                            throw badDifference(r, v, y);
                        }
                        diff[i][x] = v;
                    }
                }
            }
            if (r.overrun()) {
                throw overrun(r, y);
            }
            boolean firstLine = y == restartRow;
            for (int i = 0; i < ns; i++) {
                int[] c = cur[i];
                predictRow(diff[i], c, prev[i], w, firstLine ? 0 : psv, initialPrediction);
                int o = y * w * nf + sc[i];
                if (nf == 1 && pt == 0 && outMask == 0xFFFF) {
                    for (int x = 0; x < w; x++) {
                        out[o + x] = (short) c[x];
                    }
                } else {
                    for (int x = 0; x < w; x++, o += nf) {
                        out[o] = (short) ((c[x] << pt) & outMask);
                    }
                }
            }
            int[][] t = prev;
            prev = cur;
            cur = t;
        }
        pos = r.position();
    }

    /**
     * Reconstructs one line of one component (T.81 H.1.2.1): psv 0 marks the first line of the
     * scan or of a restart interval (predict from the left, the first sample from 2^(P-Pt-1));
     * otherwise the first sample is predicted from above and the others with predictor psv.
     * Reconstruction is modulo 2^16.
     */
    private static void predictRow(int[] d, int[] c, int[] p, int w, int psv, int initialPrediction) {
        if (psv == 0) {
            int v = (initialPrediction + d[0]) & 0xFFFF;
            c[0] = v;
            for (int x = 1; x < w; x++) {
                v = (v + d[x]) & 0xFFFF;
                c[x] = v;
            }
            return;
        }
        int ra = (p[0] + d[0]) & 0xFFFF;
        c[0] = ra;
        switch (psv) {
            case 1 -> {
                for (int x = 1; x < w; x++) {
                    ra = (ra + d[x]) & 0xFFFF;
                    c[x] = ra;
                }
            }
            case 2 -> {
                for (int x = 1; x < w; x++) {
                    c[x] = (p[x] + d[x]) & 0xFFFF;
                }
            }
            case 3 -> {
                for (int x = 1; x < w; x++) {
                    c[x] = (p[x - 1] + d[x]) & 0xFFFF;
                }
            }
            case 4 -> {
                for (int x = 1; x < w; x++) {
                    ra = (ra + p[x] - p[x - 1] + d[x]) & 0xFFFF;
                    c[x] = ra;
                }
            }
            case 5 -> {
                for (int x = 1; x < w; x++) {
                    ra = (ra + ((p[x] - p[x - 1]) >> 1) + d[x]) & 0xFFFF;
                    c[x] = ra;
                }
            }
            case 6 -> {
                for (int x = 1; x < w; x++) {
                    ra = (p[x] + ((ra - p[x - 1]) >> 1) + d[x]) & 0xFFFF;
                    c[x] = ra;
                }
            }
            default -> {
                for (int x = 1; x < w; x++) {
                    ra = (((ra + p[x]) >> 1) + d[x]) & 0xFFFF;
                    c[x] = ra;
                }
            }
        }
    }

    private CodecException badDifference(JpegBitReader r, int v, int rowsDone) {
        if (v == JpegBitReader.BAD_CODE || r.overrun()) {
            return badCode(r, rowsDone);
        }
        return error("lossless difference category above 16 in the scan after %d of %d rows", rowsDone, height);
    }

    // ---------------------------------------------------------------------------------------------
    // Sequential DCT with Huffman coding (T.81 Annex F): blocks into the component planes.

    private void decodeDctScan(int[] sc, JpegHuffmanTable[] dc, JpegHuffmanTable[] ac) throws CodecException {
        final int ns = sc.length;
        final int ri = restartInterval;
        JpegBitReader r = new JpegBitReader(src, pos, end);
        short[] coef = new short[64];
        int[] ws = new int[64];
        int[] pred = new int[ns];
        int left = ri;
        int nextRst = 0;
        if (ns == 1) {
            // Non-interleaved: the MCU is one block; the blocks cover just the component.
            int c = sc[0];
            int bw = ceilDiv(ceilDiv(width * compH[c], hMax), 8);
            int bh = ceilDiv(ceilDiv(height * compV[c], vMax), 8);
            int[] q = quantTables[compTq[c]];
            short[] plane = planes[c];
            int stride = planeStride[c];
            for (int by = 0; by < bh; by++) {
                int rowsDone = by * 8 * vMax / compV[c];
                for (int bx = 0; bx < bw; bx++) {
                    if (ri > 0) {
                        if (left == 0) {
                            restart(r, nextRst, rowsDone);
                            nextRst = (nextRst + 1) & 7;
                            left = ri;
                            pred[0] = 0;
                        }
                        left--;
                    }
                    decodeBlock(r, dc[0], ac[0], coef, pred, 0, rowsDone);
                    JpegIdct.islow(coef, q, ws, plane, by * 8 * stride + bx * 8, stride, precision);
                    if (r.overrun()) {
                        throw overrun(r, rowsDone);
                    }
                }
            }
        } else {
            for (int my = 0; my < mcusY; my++) {
                int rowsDone = my * 8 * vMax;
                for (int mx = 0; mx < mcusX; mx++) {
                    if (ri > 0) {
                        if (left == 0) {
                            restart(r, nextRst, rowsDone);
                            nextRst = (nextRst + 1) & 7;
                            left = ri;
                            Arrays.fill(pred, 0);
                        }
                        left--;
                    }
                    for (int i = 0; i < ns; i++) {
                        int c = sc[i];
                        int[] q = quantTables[compTq[c]];
                        short[] plane = planes[c];
                        int stride = planeStride[c];
                        int hc = compH[c];
                        int vc = compV[c];
                        for (int v = 0; v < vc; v++) {
                            for (int u = 0; u < hc; u++) {
                                decodeBlock(r, dc[i], ac[i], coef, pred, i, rowsDone);
                                int y0 = (my * vc + v) * 8;
                                int x0 = (mx * hc + u) * 8;
                                JpegIdct.islow(coef, q, ws, plane, y0 * stride + x0, stride, precision);
                            }
                        }
                    }
                    if (r.overrun()) {
                        throw overrun(r, rowsDone);
                    }
                }
            }
        }
        pos = r.position();
    }

    /** One block's coefficients (T.81 F.2.2), in natural order, into {@code coef}. */
    private void decodeBlock(JpegBitReader r, JpegHuffmanTable dc, JpegHuffmanTable ac, short[] coef, int[] pred,
                             int i, int rowsDone) throws CodecException {
        Arrays.fill(coef, (short) 0);
        int s = r.decode(dc);
        if (s < 0) {
            throw badCode(r, rowsDone);
        }
        if (s > 16) {
            throw error("DC difference category %d is not valid", s);
        }
        int diff = 0;
        if (s != 0) {
            int v = r.bits(s);
            diff = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
        }
        int dcv = pred[i] + diff;
        pred[i] = dcv;
        coef[0] = (short) dcv;
        for (int k = 1; k < 64; k++) {
            int rs = r.decode(ac);
            if (rs < 0) {
                throw badCode(r, rowsDone);
            }
            int run = rs >> 4;
            s = rs & 15;
            if (s != 0) {
                k += run;
                int v = r.bits(s);
                coef[NATURAL[k]] = (short) (v < 1 << (s - 1) ? v - (1 << s) + 1 : v);
            } else {
                if (run != 15) {
                    break; // EOB
                }
                k += 15; // ZRL: sixteen zeros
            }
        }
    }

    /**
     * Copies the component planes to the output, bringing subsampled components to full size the
     * way libjpeg-turbo does by default (what Pillow, and so pydicom, gives; dcmtk's IJG libjpeg
     * agrees for h2v1 and h2v2): "fancy" triangular interpolation for the common 2:1 ratios
     * ({@link #fancyH2v1}, {@link #fancyH1v2}, {@link #fancyH2v2}), replication for any other
     * integral ratio and for components at most 2 samples wide in the h2 cases.
     */
    private void writeDctOutput() {
        final int w = width;
        int[] xs = new int[w];
        for (int c = 0; c < nf; c++) {
            short[] plane = planes[c];
            int stride = planeStride[c];
            int hc = compH[c];
            int vc = compV[c];
            // The component's own size (libjpeg's downsampled_width/height): the samples beyond
            // it in the padded plane are not image data and never feed the interpolation.
            int cw = ceilDiv(w * hc, hMax);
            int ch = ceilDiv(height * vc, vMax);
            boolean h2 = 2 * hc == hMax && cw > 2;
            if (h2 && vc == vMax) {
                fancyH2v1(plane, stride, cw, c);
                continue;
            }
            if (h2 && 2 * vc == vMax) {
                fancyH2v2(plane, stride, cw, ch, c);
                continue;
            }
            if (hc == hMax && 2 * vc == vMax) {
                fancyH1v2(plane, stride, ch, c);
                continue;
            }
            for (int x = 0; x < w; x++) {
                xs[x] = x * hc / hMax;
            }
            for (int y = 0; y < height; y++) {
                int srcRow = (y * vc / vMax) * stride;
                int o = y * w * nf + c;
                if (hc == hMax) {
                    for (int x = 0; x < w; x++, o += nf) {
                        out[o] = plane[srcRow + x];
                    }
                } else {
                    for (int x = 0; x < w; x++, o += nf) {
                        out[o] = plane[srcRow + xs[x]];
                    }
                }
            }
        }
    }

    /*
     * libjpeg's fancy upsampling: each output sample is 3/4 of the nearer input sample plus 1/4
     * of the next nearer one (both directions for h2v2: 9/16, 3/16, 3/16, 1/16), the input
     * repeating its edge sample or row beyond the component's own size. Halves are rounded up
     * and down at alternate positions (biases 1 and 2 of 4; 8 and 7 of 16) so that rounding adds
     * no overall bias; these exact biases are what make the result equal libjpeg's.
     */

    /** 2:1 horizontal, 1:1 vertical (4:2:2); {@code cw > 2}. */
    private void fancyH2v1(short[] plane, int stride, int cw, int c) {
        for (int y = 0; y < height; y++) {
            int row = y * stride;
            int o = y * width * nf + c;
            for (int x = 0; x < width; x++, o += nf) {
                int i = x >> 1;
                int near = plane[row + i];
                out[o] = (short) ((x & 1) == 0
                        ? (3 * near + plane[row + Math.max(i - 1, 0)] + 1) >> 2
                        : (3 * near + plane[row + Math.min(i + 1, cw - 1)] + 2) >> 2);
            }
        }
    }

    /** 1:1 horizontal, 2:1 vertical (4:4:0). */
    private void fancyH1v2(short[] plane, int stride, int ch, int c) {
        for (int y = 0; y < height; y++) {
            int r = y >> 1;
            boolean above = (y & 1) == 0;
            int near = r * stride;
            int far = (above ? Math.max(r - 1, 0) : Math.min(r + 1, ch - 1)) * stride;
            int bias = above ? 1 : 2;
            int o = y * width * nf + c;
            for (int x = 0; x < width; x++, o += nf) {
                out[o] = (short) ((3 * plane[near + x] + plane[far + x] + bias) >> 2);
            }
        }
    }

    /** 2:1 horizontal and vertical (4:2:0); {@code cw > 2}. */
    private void fancyH2v2(short[] plane, int stride, int cw, int ch, int c) {
        int[] colSum = new int[cw];
        for (int y = 0; y < height; y++) {
            int r = y >> 1;
            int near = r * stride;
            int far = ((y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, ch - 1)) * stride;
            for (int i = 0; i < cw; i++) {
                colSum[i] = 3 * plane[near + i] + plane[far + i];
            }
            int o = y * width * nf + c;
            for (int x = 0; x < width; x++, o += nf) {
                int i = x >> 1;
                out[o] = (short) ((x & 1) == 0
                        ? (3 * colSum[i] + colSum[Math.max(i - 1, 0)] + 8) >> 4
                        : (3 * colSum[i] + colSum[Math.min(i + 1, cw - 1)] + 7) >> 4);
            }
        }
    }
}
