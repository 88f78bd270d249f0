package lessismore.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Bins of the neighbour scores. Integer scores (Hamming distances) get one bin per value,
 * centred on it, so each bar reads as "this many slices at distance k"; other scores get
 * {@value #CONTINUOUS_BINS} equal bins. The range always includes the threshold so its line is
 * on the chart.
 *
 * @param bins        the bins in increasing order
 * @param lo          left edge of the first bin
 * @param hi          right edge of the last bin
 * @param thresholdX  where the line between redundant and distinct scores is drawn
 * @param nonFinite   scores left out because they are NaN or infinite
 * @param integers    whether the bins are one per integer value
 */
record Histogram(List<Bin> bins, double lo, double hi, double thresholdX, int nonFinite, boolean integers) {
    static final int CONTINUOUS_BINS = 40;
    /** Beyond this many distinct integer values, one bin per value would make hairline bars. */
    private static final int MAX_INTEGER_BINS = 80;

    /**
     * One bin: scores in [from, to), the last bin also holds {@code to}.
     *
     * @param redundant whether the bin's centre lies on the redundant side of the threshold
     */
    record Bin(double from, double to, int count, boolean redundant) {
    }

    static Histogram of(double[] scores, double threshold, boolean similarity) {
        double min = threshold;
        double max = threshold;
        boolean integers = threshold == Math.rint(threshold);
        int nonFinite = 0;
        for (double s : scores) {
            if (!Double.isFinite(s)) {
                nonFinite++;
                continue;
            }
            min = Math.min(min, s);
            max = Math.max(max, s);
            integers &= s == Math.rint(s);
        }
        integers &= max - min < MAX_INTEGER_BINS;
        double lo = integers ? min - 0.5 : min;
        double hi = integers ? max + 0.5 : (max > min ? max : min + 1);
        int n = integers ? (int) (max - min) + 1 : CONTINUOUS_BINS;
        double width = (hi - lo) / n;
        int[] counts = new int[n];
        for (double s : scores) {
            if (Double.isFinite(s)) {
                counts[Math.min(n - 1, (int) ((s - lo) / width))]++;
            }
        }
        List<Bin> bins = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double from = lo + i * width;
            double to = i + 1 == n ? hi : lo + (i + 1) * width;
            double centre = (from + to) / 2;
            bins.add(new Bin(from, to, counts[i], similarity ? centre >= threshold : centre <= threshold));
        }
        // Integer distances are redundant up to and including the threshold: the line sits after its bar.
        double line = integers ? threshold + (similarity ? -0.5 : 0.5) : threshold;
        return new Histogram(bins, lo, hi, line, nonFinite, integers);
    }

    /** The largest bin count (at least 1, so it can scale an axis). */
    int maxCount() {
        int m = 1;
        for (Bin b : bins) {
            m = Math.max(m, b.count());
        }
        return m;
    }
}
