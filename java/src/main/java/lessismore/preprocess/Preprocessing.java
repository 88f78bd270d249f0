package lessismore.preprocess;

import java.util.Locale;

/**
 * How a slice's int16 Hounsfield values (as {@link PublishedPreprocessing#toInt16Hounsfield}
 * computes them) become the 8-bit image that signatures and exports see. Every preset is a lookup
 * table over the int16 values, filled once per slice.
 *
 * <p>Pixels marked as padding (Pixel Padding Value / Range Limit) hold {@link #PADDING} when they
 * reach a preset; every preset except the published one maps them to 0 and leaves them out of its
 * statistics (the published scripts did not know padding, and parity with them comes first).
 */
public sealed interface Preprocessing {
    /** Value that marks a padding pixel in the int16 image. */
    short PADDING = Short.MIN_VALUE;

    /**
     * Fills {@code lut} so that {@code lut[v - min]} is the 8-bit value of v for every v in
     * {@code px[0, n)}, and returns min.
     */
    int lut(short[] px, int n, int[] lut);

    /** Whether padding pixels should be marked with {@link #PADDING} before {@link #lut}. */
    boolean usesPadding();

    /** A short description for summaries, e.g. "window C=-600 W=1500". */
    String describe();

    /** The published min–max mapping (default): parity with the published Hash-6 scripts. */
    record PublishedMinMax() implements Preprocessing {
        @Override
        public int lut(short[] px, int n, int[] lut) {
            return PublishedPreprocessing.minMaxLut(px, n, lut);
        }

        @Override
        public boolean usesPadding() {
            return false;
        }

        @Override
        public String describe() {
            return "published min-max (int16 HU, -2000 -> 0, slope, intercept -1024 default)";
        }
    }

    /**
     * An HU window: values below center - width/2 map to 0, above center + width/2 to 255, linear in
     * between (rounded half to even), like a radiologist's display window.
     *
     * @param center window center in HU
     * @param width  window width in HU, positive
     * @param name   preset name or "custom"
     */
    record Window(double center, double width, String name) implements Preprocessing {
        public Window {
            if (!(width > 0) || !Double.isFinite(center)) {
                throw new IllegalArgumentException("window width must be positive and center finite");
            }
        }

        @Override
        public int lut(short[] px, int n, int[] lut) {
            int min = Short.MAX_VALUE;
            int max = Short.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, px[i]);
                max = Math.max(max, px[i]);
            }
            double lo = center - width / 2;
            for (int v = min; v <= max; v++) {
                double t = (v - lo) / width * 255.0;
                lut[v - min] = v == PADDING ? 0 : (int) Math.rint(Math.max(0, Math.min(255, t)));
            }
            return min;
        }

        @Override
        public boolean usesPadding() {
            return true;
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "window %s (C=%s W=%s HU)", name, fmt(center), fmt(width));
        }
    }

    /**
     * Clip to [low, high] HU, then min–max of the clipped values to 0..255 (padding left out).
     *
     * @param low  lower clip in HU
     * @param high upper clip in HU, above low
     */
    record ClippedMinMax(int low, int high) implements Preprocessing {
        public ClippedMinMax {
            if (high <= low) {
                throw new IllegalArgumentException("clip needs low < high, got " + low + "," + high);
            }
        }

        @Override
        public int lut(short[] px, int n, int[] lut) {
            int min = Short.MAX_VALUE;
            int max = Short.MIN_VALUE;
            int cmin = Integer.MAX_VALUE;
            int cmax = Integer.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                int v = px[i];
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v != PADDING) {
                    int c = Math.max(low, Math.min(high, v));
                    cmin = Math.min(cmin, c);
                    cmax = Math.max(cmax, c);
                }
            }
            for (int v = min; v <= max; v++) {
                int c = Math.max(low, Math.min(high, v));
                lut[v - min] = v == PADDING || cmax <= cmin ? 0
                        : (int) Math.rint((double) (c - cmin) / (cmax - cmin) * 255.0);
            }
            return min;
        }

        @Override
        public boolean usesPadding() {
            return true;
        }

        @Override
        public String describe() {
            return "clip " + low + ".." + high + " HU, then min-max";
        }
    }

    /**
     * Parses a {@code --window} value: a preset name (lung, mediastinum, soft-tissue, brain, bone)
     * or "C,W" in HU.
     */
    static Window window(String spec) {
        return switch (spec.toLowerCase(Locale.ROOT)) {
            case "lung" -> new Window(-600, 1500, "lung");
            case "mediastinum" -> new Window(50, 350, "mediastinum");
            case "soft-tissue" -> new Window(40, 400, "soft-tissue");
            case "brain" -> new Window(40, 80, "brain");
            case "bone" -> new Window(400, 1800, "bone");
            default -> {
                String[] p = spec.split(",");
                if (p.length != 2) {
                    throw new IllegalArgumentException("window '" + spec
                            + "': expected lung, mediastinum, soft-tissue, brain, bone or C,W in HU");
                }
                try {
                    yield new Window(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()), "custom");
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("window '" + spec + "': C and W must be numbers");
                }
            }
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
