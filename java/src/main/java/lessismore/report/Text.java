package lessismore.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Escaping and number formatting shared by the page and its charts; locale-independent. */
public final class Text {
    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private Text() {
    }

    /** {@code s} safe inside HTML/SVG text and double-quoted attributes. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Integers as integers, anything else with four significant digits; "–" for NaN. */
    static String num(double d) {
        if (!Double.isFinite(d)) {
            return "–";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new BigDecimal(d).round(FOUR_DIGITS).stripTrailingZeros().toPlainString();
    }

    /** A summary value as text: numbers as by {@link #num}, so 2.0 reads "2"; others as they print. */
    static String value(Object v) {
        return v instanceof Double || v instanceof Float ? num(((Number) v).doubleValue()) : String.valueOf(v);
    }

    /** A fraction as a percentage with one decimal, e.g. "24.7%". */
    static String pct(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", 100 * fraction) : "–";
    }

    /** SVG coordinates and CSS percentages with one decimal: enough for the eye, and stable. */
    static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
