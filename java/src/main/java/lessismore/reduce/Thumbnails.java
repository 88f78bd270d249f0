package lessismore.reduce;

import lessismore.report.ReportModel;

/** Small renderings of slices for the report, made while each slice is in memory anyway. */
final class Thumbnails {
    /** Longest side in pixels. */
    static final int SIZE = 64;

    private Thumbnails() {
    }

    /**
     * Area-average down-sampling of a w × h 8-bit image so that its longest side is {@code size}
     * (never up-sampled): each output pixel is the mean of the input pixels whose centres fall in
     * it, which keeps thin structures visible at a fraction of LANCZOS's cost.
     */
    static ReportModel.Thumbnail of(byte[] gray, int w, int h, int size) {
        double scale = Math.max(1.0, (double) Math.max(w, h) / size);
        int tw = Math.max(1, (int) Math.round(w / scale));
        int th = Math.max(1, (int) Math.round(h / scale));
        long[] sum = new long[tw * th];
        int[] count = new int[tw * th];
        int[] colOf = new int[w];
        for (int x = 0; x < w; x++) {
            colOf[x] = Math.min(tw - 1, (int) ((x + 0.5) * tw / w));
        }
        for (int y = 0; y < h; y++) {
            int row = Math.min(th - 1, (int) ((y + 0.5) * th / h)) * tw;
            for (int x = 0, p = y * w; x < w; x++, p++) {
                sum[row + colOf[x]] += gray[p] & 0xFF;
                count[row + colOf[x]]++;
            }
        }
        byte[] out = new byte[tw * th];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (count[i] == 0 ? 0 : (sum[i] + count[i] / 2) / count[i]);
        }
        return new ReportModel.Thumbnail(tw, th, out);
    }
}
