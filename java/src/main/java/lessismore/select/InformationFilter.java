package lessismore.select;

import java.util.Locale;

/**
 * {@code --min-information}: drops near-empty slices (mostly air, table or padding) before any
 * comparison, with their own reason. Both measures work on the preprocessed 8-bit slice, so they
 * apply to DICOM, NIfTI and image folders alike.
 *
 * @param measure what is measured
 * @param minimum slices measuring below this are dropped
 */
public record InformationFilter(Measure measure, double minimum) {
    /** What a slice's information is measured by. */
    public enum Measure {
        /** Shannon entropy of the 256-bin grey histogram, in bits (0 for a constant image, at most 8). */
        ENTROPY,
        /**
         * Fraction of pixels at grey level ≥ {@value #BODY_LEVEL} (of 255): after the min-max or a
         * window mapping air sits near 0 and tissue well above, so this is the body's share of the
         * image.
         */
        AREA
    }

    /** Grey level from which a pixel counts as body for {@link Measure#AREA}. */
    public static final int BODY_LEVEL = 32;

    /** Default filter when {@code --min-information} is given without a value. */
    public static final InformationFilter DEFAULT = new InformationFilter(Measure.AREA, 0.05);

    /** Checks the range. */
    public InformationFilter {
        double max = measure == Measure.ENTROPY ? 8 : 1;
        if (!(minimum >= 0 && minimum <= max)) {
            throw new IllegalArgumentException("--min-information " + measure.name().toLowerCase(Locale.ROOT)
                    + " must be in [0, " + (int) max + "], got " + minimum);
        }
    }

    /** Parses {@code entropy=BITS} or {@code area=FRACTION}. */
    public static InformationFilter parse(String spec) {
        String[] p = spec.split("=", 2);
        if (p.length != 2) {
            throw new IllegalArgumentException("--min-information expects entropy=BITS or area=FRACTION, got '" + spec + "'");
        }
        Measure m = switch (p[0].trim().toLowerCase(Locale.ROOT)) {
            case "entropy" -> Measure.ENTROPY;
            case "area" -> Measure.AREA;
            default -> throw new IllegalArgumentException("--min-information: unknown measure '" + p[0]
                    + "' (expected entropy or area)");
        };
        try {
            return new InformationFilter(m, Double.parseDouble(p[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--min-information: '" + p[1] + "' is not a number");
        }
    }

    /** The measure of a w × h 8-bit image (n = w·h pixels). */
    public double measure(byte[] gray, int n) {
        return measure == Measure.ENTROPY ? entropyBits(gray, n) : bodyArea(gray, n);
    }

    /** Shannon entropy in bits of the grey histogram of gray[0..n). */
    public static double entropyBits(byte[] gray, int n) {
        int[] hist = new int[256];
        for (int i = 0; i < n; i++) {
            hist[gray[i] & 0xFF]++;
        }
        double h = 0;
        for (int c : hist) {
            if (c > 0) {
                double p = (double) c / n;
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(2);
    }

    /** Fraction of gray[0..n) at level ≥ {@link #BODY_LEVEL}. */
    public static double bodyArea(byte[] gray, int n) {
        int body = 0;
        for (int i = 0; i < n; i++) {
            body += (gray[i] & 0xFF) >= BODY_LEVEL ? 1 : 0;
        }
        return n == 0 ? 0 : (double) body / n;
    }

    /** "area 0.031 < 0.050" style text for the manifest's reason. */
    public String reason(double value) {
        return String.format(Locale.ROOT, "low information: %s %.3f < %.3f",
                measure.name().toLowerCase(Locale.ROOT), value, minimum);
    }

    /** As given on the command line. */
    public String describe() {
        return measure.name().toLowerCase(Locale.ROOT) + "=" + minimum;
    }
}
