package lessismore.io.codec;

/**
 * Reads the entropy-coded data of one scan: bits most significant first, 0xFF 0x00 unstuffed,
 * stopping in front of any marker (or at the end of the frame's bytes).
 *
 * <p>When a decoder asks for more bits than the data holds, zero bits are supplied (as libjpeg
 * does) and counted, so that {@link #overrun()} tells the decoder afterwards that it decoded past
 * the end; it never reads a byte at or beyond {@code end}.
 */
final class JpegBitReader {
    private final byte[] src;
    private final int end;
    /** Next byte to fetch. */
    private int pos;
    /** Bit accumulator; the next bit to consume is bit {@code bits - 1}. */
    private long acc;
    /** Valid bits in {@link #acc}, counting the supplied zero bits. */
    private int bits;
    /** Zero bits supplied after the data stopped; they sit at the low end of the accumulator. */
    private int padding;
    /** Fetching stopped at a marker or at the end of the bytes. */
    private boolean stopped;

    JpegBitReader(byte[] src, int pos, int end) {
        this.src = src;
        this.pos = pos;
        this.end = end;
    }

    /** Tops the accumulator up to more than 56 bits. */
    private void fill() {
        while (bits <= 56) {
            if (pos < end) {
                int b = src[pos] & 0xFF;
                if (b != 0xFF) {
                    acc = acc << 8 | b;
                    pos++;
                    bits += 8;
                    continue;
                }
                if (pos + 1 < end && src[pos + 1] == 0) {
                    acc = acc << 8 | 0xFF; // stuffed 0xFF 0x00
                    pos += 2;
                    bits += 8;
                    continue;
                }
            }
            // A marker (or fill bytes before one, a lone 0xFF at the end, the end itself): the
            // reader stays in front of it and supplies zero bits from now on.
            stopped = true;
            acc <<= 8;
            bits += 8;
            padding += 8;
        }
    }

    /** The next {@code n} bits (0 &lt;= n &lt;= 16) as an unsigned number. */
    int bits(int n) {
        if (bits < n) {
            fill();
        }
        bits -= n;
        return (int) (acc >>> bits) & ((1 << n) - 1);
    }

    /** The next symbol of {@code t}, or -1 when the next 16 bits are no code of it. */
    int decode(JpegHuffmanTable t) {
        if (bits < 16) {
            fill();
        }
        int e = t.lookup[(int) (acc >>> (bits - JpegHuffmanTable.LOOKAHEAD)) & ((1 << JpegHuffmanTable.LOOKAHEAD) - 1)];
        if (e != 0) {
            bits -= e >>> 8;
            return e & 0xFF;
        }
        return slowSymbol(t);
    }

    /** Returned by {@link #difference} for a bit pattern that is no code of the table. */
    static final int BAD_CODE = Integer.MIN_VALUE;
    /** Returned by {@link #difference} for a category above 16. */
    static final int BAD_CATEGORY = Integer.MIN_VALUE + 1;

    /**
     * A Huffman-coded category SSSS and its SSSS additional bits, as the signed difference they
     * encode (T.81 F.2.2.1, H.1.2.2; category 16 is 32768 with no additional bits), or
     * {@link #BAD_CODE} / {@link #BAD_CATEGORY}. {@code fast} is {@code t.differences()}.
     */
    int difference(JpegHuffmanTable t, int[] fast) {
        if (bits < 32) {
            fill(); // a code and its additional bits take at most 32 bits
        }
        int f = fast[(int) (acc >>> (bits - JpegHuffmanTable.DIFF_BITS)) & ((1 << JpegHuffmanTable.DIFF_BITS) - 1)];
        if (f != 0) {
            bits -= f & 0xFF;
            return f >> 8;
        }
        int s;
        int e = t.lookup[(int) (acc >>> (bits - JpegHuffmanTable.LOOKAHEAD)) & ((1 << JpegHuffmanTable.LOOKAHEAD) - 1)];
        if (e != 0) {
            bits -= e >>> 8;
            s = e & 0xFF;
        } else {
            s = slowSymbol(t);
            if (s < 0) {
                return BAD_CODE;
            }
        }
        if (s == 0) {
            return 0;
        }
        if (s >= 16) {
            return s == 16 ? 32768 : BAD_CATEGORY;
        }
        bits -= s;
        int v = (int) (acc >>> bits) & ((1 << s) - 1);
        return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    }

    /** Codes longer than the look-ahead: T.81 Figure F.16 from length 10 on. */
    private int slowSymbol(JpegHuffmanTable t) {
        int code = (int) (acc >>> (bits - 16)) & 0xFFFF;
        for (int len = JpegHuffmanTable.LOOKAHEAD + 1; len <= 16; len++) {
            int c = code >>> (16 - len);
            if (c <= t.maxcode[len]) {
                bits -= len;
                return t.vals[c + t.valoffset[len]] & 0xFF;
            }
        }
        return -1;
    }

    /**
     * Whether the data ends within the next 16 bits: an invalid code found there may just be the
     * end of the data (padding bits, then the zero bits supplied).
     */
    boolean nearEnd() {
        return stopped && bits - padding < 16;
    }

    /** Whether any supplied zero bit has been consumed: the decoder ran past the data. */
    boolean overrun() {
        return bits < padding;
    }

    /**
     * Where marker parsing goes on after this scan (or restart interval): the first byte not yet
     * fetched, which is the 0xFF of the marker that stopped the reader, if one did.
     */
    int position() {
        return pos;
    }

    /** Drops all buffered bits and starts a new interval at {@code newPos}. */
    void restartAt(int newPos) {
        pos = newPos;
        acc = 0;
        bits = 0;
        padding = 0;
        stopped = false;
    }
}
