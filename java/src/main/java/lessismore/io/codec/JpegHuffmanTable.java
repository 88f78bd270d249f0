package lessismore.io.codec;

/**
 * One Huffman table from a DHT segment, in the canonical form of ITU-T T.81 Annex C, with a
 * 9-bit look-ahead table for the short codes and the MAXCODE/VALPTR procedure (Figure F.16)
 * for the longer ones.
 */
final class JpegHuffmanTable {
    /** Codes of up to this many bits are resolved by one table look-up. */
    static final int LOOKAHEAD = 9;

    /** Index: the next 9 bits; value: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer. */
    final short[] lookup = new short[1 << LOOKAHEAD];
    /** Largest code of each length 1..16, -1 when there is none; index 17 unused. */
    final int[] maxcode = new int[18];
    /** Added to a code of length l gives its index in {@link #vals}. */
    final int[] valoffset = new int[17];
    /** HUFFVAL, in order of increasing code length. */
    final byte[] vals;

    /** Bits looked at by {@link #differences()}. */
    static final int DIFF_BITS = 12;
    private final int[] counts;
    private int[] differences;

    /**
     * @param counts counts[l] = number of codes of length l, l = 1..16 (index 0 unused)
     * @param vals   the symbols, as many as the counts add up to
     * @throws CodecException when the counts describe more codes than fit in 16 bits
     */
    JpegHuffmanTable(int[] counts, byte[] vals) throws CodecException {
        this.vals = vals;
        this.counts = counts.clone();
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            int n = counts[len];
            valoffset[len] = k - code;
            for (int i = 0; i < n; i++, k++, code++) {
                // Codes of length l must fit in l bits and the all-ones code is reserved (T.81 C.2):
                // libjpeg refuses such tables too.
                if (code >= (1 << len) - 1) {
                    throw new CodecException("JPEG: bad Huffman table (code lengths overflow)");
                }
                if (len <= LOOKAHEAD) {
                    int shift = LOOKAHEAD - len;
                    int first = code << shift;
                    short entry = (short) (len << 8 | (vals[k] & 0xFF));
                    for (int j = 0; j < 1 << shift; j++) {
                        lookup[first + j] = entry;
                    }
                }
            }
            maxcode[len] = n == 0 ? -1 : code - 1;
            code <<= 1;
        }
        maxcode[17] = Integer.MAX_VALUE;
    }

    /**
     * For tables of difference categories (lossless, DC): index the next 12 bits; value
     * (difference &lt;&lt; 8) | bits used, when a code and its additional bits fit in those 12 bits,
     * else 0. Built on first use (16 KiB).
     */
    int[] differences() {
        int[] d = differences;
        if (d != null) {
            return d;
        }
        d = new int[1 << DIFF_BITS];
        int code = 0;
        int k = 0;
        for (int len = 1; len <= DIFF_BITS; len++) {
            for (int i = 0; i < counts[len]; i++, k++, code++) {
                int s = vals[k] & 0xFF;
                int free = DIFF_BITS - len;
                if (s > 16 || (s < 16 && s > free)) {
                    continue; // invalid, or too long for the table: the slow path decides
                }
                int used = s == 16 ? len : len + s;
                for (int j = 0; j < 1 << free; j++) {
                    int diff = 0;
                    if (s == 16) {
                        diff = 32768;
                    } else if (s > 0) {
                        int v = j >>> (free - s);
                        diff = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
                    }
                    d[code << free | j] = diff << 8 | used;
                }
            }
            code <<= 1;
        }
        differences = d;
        return d;
    }
}
