package lessismore.report;

import static lessismore.report.Text.esc;
import static lessismore.report.Text.num;
import static lessismore.report.Text.pct;
import static lessismore.report.Text.px;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import lessismore.report.ReportModel.Measure;

/** Inline SVG charts; colours and fonts come from the page's style sheet (classes). */
final class Charts {
    private static final double LEFT = 56;
    private static final double RIGHT = 20;
    private static final double TOP = 28;
    private static final double BOTTOM = 44;

    private Charts() {
    }

    /** A plot area of w × h pixels mapping [x0, x1] × [y0, y1] onto it. */
    private record Frame(double w, double h, double x0, double x1, double y0, double y1) {
        double x(double v) {
            return LEFT + (v - x0) / (x1 - x0) * (w - LEFT - RIGHT);
        }

        double y(double v) {
            return h - BOTTOM - (v - y0) / (y1 - y0) * (h - TOP - BOTTOM);
        }

        /** Axes, horizontal grid lines with labels, and the axis titles. */
        void axes(StringBuilder sb, double[] yTicks, List<String> yLabels, String xTitle, String yTitle) {
            for (int i = 0; i < yTicks.length; i++) {
                String y = px(y(yTicks[i]));
                sb.append("<line class=\"grid\" x1=\"").append(px(LEFT)).append("\" x2=\"").append(px(w - RIGHT))
                        .append("\" y1=\"").append(y).append("\" y2=\"").append(y).append("\"/>")
                        .append("<text class=\"tick\" x=\"").append(px(LEFT - 6)).append("\" y=\"").append(y)
                        .append("\" dy=\"0.32em\" text-anchor=\"end\">").append(esc(yLabels.get(i))).append("</text>");
            }
            String base = px(h - BOTTOM);
            sb.append("<line class=\"axis\" x1=\"").append(px(LEFT)).append("\" x2=\"").append(px(w - RIGHT))
                    .append("\" y1=\"").append(base).append("\" y2=\"").append(base).append("\"/>");
            sb.append("<text class=\"title\" x=\"").append(px((LEFT + w - RIGHT) / 2)).append("\" y=\"")
                    .append(px(h - 8)).append("\" text-anchor=\"middle\">").append(esc(xTitle)).append("</text>");
            sb.append("<text class=\"title\" x=\"").append(px(LEFT - 6)).append("\" y=\"").append(px(TOP - 14))
                    .append("\" text-anchor=\"end\">").append(esc(yTitle)).append("</text>");
        }

        void xTick(StringBuilder sb, double v, String label) {
            String x = px(x(v));
            sb.append("<line class=\"axis\" x1=\"").append(x).append("\" x2=\"").append(x).append("\" y1=\"")
                    .append(px(h - BOTTOM)).append("\" y2=\"").append(px(h - BOTTOM + 4)).append("\"/>")
                    .append("<text class=\"tick\" x=\"").append(x).append("\" y=\"").append(px(h - BOTTOM + 16))
                    .append("\" text-anchor=\"middle\">").append(esc(label)).append("</text>");
        }

        /** A dashed vertical marker with a label at the top, kept inside the plot. */
        void vMarker(StringBuilder sb, double v, String cls, String label) {
            double x = x(v);
            boolean right = x > (LEFT + w - RIGHT) / 2;
            sb.append("<line class=\"").append(cls).append("\" x1=\"").append(px(x)).append("\" x2=\"").append(px(x))
                    .append("\" y1=\"").append(px(TOP - 6)).append("\" y2=\"").append(px(h - BOTTOM)).append("\"/>")
                    .append("<text class=\"").append(cls).append("-label\" x=\"").append(px(x + (right ? -5 : 5)))
                    .append("\" y=\"").append(px(TOP + 4)).append("\" text-anchor=\"").append(right ? "end" : "start")
                    .append("\">").append(esc(label)).append("</text>");
        }
    }

    /** The histogram of neighbour scores with the threshold line; bars on the redundant side in red. */
    static String histogram(Histogram hist, Measure me) {
        int max = hist.maxCount();
        double yStep = niceStep(max, 4, 1);
        double yTop = Math.ceil(max / yStep) * yStep;
        double[] yTicks = ticks(0, yTop, yStep);
        Frame f = new Frame(680, 300, hist.lo(), hist.hi(), 0, yTop);
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<svg class=\"chart\" viewBox=\"0 0 680 300\" role=\"img\" aria-label=\"histogram of ")
                .append(esc(me.name())).append(" scores between neighbouring slices\">");
        List<String> labels = new ArrayList<>();
        for (double t : yTicks) {
            labels.add(num(t));
        }
        String what = me.similarity() ? "similarity" : "distance";
        f.axes(sb, yTicks, labels, what + " to the previous slice of the volume (" + me.name() + ")", "slices");
        for (Histogram.Bin b : hist.bins()) {
            if (b.count() == 0) {
                continue;
            }
            double x0 = f.x(b.from());
            double x1 = f.x(b.to());
            double gap = x1 - x0 > 4 ? 1 : 0;
            double y = f.y(b.count());
            sb.append("<rect class=\"").append(b.redundant() ? "bar-d" : "bar-k")
                    .append("\" x=\"").append(px(x0 + gap / 2))
                    .append("\" y=\"").append(px(y)).append("\" width=\"").append(px(Math.max(1, x1 - x0 - gap)))
                    .append("\" height=\"").append(px(f.y(0) - y)).append("\"><title>")
                    .append(esc(binLabel(b, hist))).append(": ").append(b.count()).append(" slices</title></rect>");
        }
        // Integer bins are labelled on their centres, so their ticks must be whole numbers.
        double xStep = niceStep(hist.hi() - hist.lo(), 8, hist.integers() ? 1 : 0);
        for (double t : ticks(hist.lo(), hist.hi(), xStep)) {
            f.xTick(sb, t, num(t));
        }
        f.vMarker(sb, hist.thresholdX(), "thr", "threshold " + num(me.threshold()) + " · redundant when "
                + rule(me));
        return sb.append("</svg>").toString();
    }

    /** The kept fraction each threshold of a --keep-fraction search gave, with the target line. */
    static String thresholdSearch(Measure me) {
        List<double[]> points = new ArrayList<>(me.thresholdSearch());
        points.sort(Comparator.comparingDouble(p -> p[0]));
        double lo = points.getFirst()[0];
        double hi = points.getLast()[0];
        if (hi == lo) {
            lo -= 1;
            hi += 1;
        }
        double[] yTicks = {0, 0.25, 0.5, 0.75, 1};
        Frame f = new Frame(440, 300, lo, hi, 0, 1);
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<svg class=\"chart\" viewBox=\"0 0 440 300\" role=\"img\"")
                .append(" aria-label=\"kept fraction per threshold tried\">");
        List<String> labels = new ArrayList<>();
        for (double t : yTicks) {
            labels.add(num(100 * t) + "%");
        }
        f.axes(sb, yTicks, labels, "threshold (" + me.name() + ")", "kept");
        boolean integers = points.stream().allMatch(p -> p[0] == Math.rint(p[0]));
        for (double t : ticks(lo, hi, niceStep(hi - lo, 5, integers ? 1 : 0))) {
            f.xTick(sb, t, num(t));
        }
        if (me.keepFractionTarget() != null) {
            String y = px(f.y(me.keepFractionTarget()));
            // The curve crosses the target near the chosen threshold: label the line's other end.
            boolean left = f.x(me.threshold()) > (LEFT + f.w() - RIGHT) / 2;
            sb.append("<line class=\"tgt\" x1=\"").append(px(LEFT)).append("\" x2=\"").append(px(f.w() - RIGHT))
                    .append("\" y1=\"").append(y).append("\" y2=\"").append(y).append("\"/>")
                    .append("<text class=\"tgt-label\" x=\"").append(px(left ? LEFT + 4 : f.w() - RIGHT - 4))
                    .append("\" y=\"").append(y).append("\" dy=\"-0.5em\" text-anchor=\"")
                    .append(left ? "start" : "end").append("\">target ").append(pct(me.keepFractionTarget()))
                    .append("</text>");
        }
        f.vMarker(sb, me.threshold(), "thr", "chosen " + num(me.threshold()));
        sb.append("<polyline class=\"search\" points=\"");
        for (double[] p : points) {
            sb.append(px(f.x(p[0]))).append(',').append(px(f.y(p[1]))).append(' ');
        }
        sb.setLength(sb.length() - 1);
        sb.append("\"/>");
        for (double[] p : points) {
            sb.append("<circle class=\"").append(p[0] == me.threshold() ? "pt chosen" : "pt").append("\" cx=\"")
                    .append(px(f.x(p[0]))).append("\" cy=\"").append(px(f.y(p[1]))).append("\" r=\"")
                    .append(p[0] == me.threshold() ? "5" : "3.5").append("\"><title>threshold ").append(num(p[0]))
                    .append(" keeps ").append(pct(p[1])).append("</title></circle>");
        }
        return sb.append("</svg>").toString();
    }

    /** "≤ 6" for distances, "≥ 0.95" for similarities. */
    static String rule(Measure me) {
        return (me.similarity() ? "≥ " : "≤ ") + num(me.threshold());
    }

    private static String binLabel(Histogram.Bin b, Histogram h) {
        return h.integers() ? num((b.from() + b.to()) / 2) : num(b.from()) + "–" + num(b.to());
    }

    /** A round step (1, 2 or 5 × 10^k, at least {@code minStep}) giving about {@code target} steps. */
    private static double niceStep(double range, int target, double minStep) {
        double raw = range / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        double step = r < 1.5 ? mag : r < 3.5 ? 2 * mag : r < 7.5 ? 5 * mag : 10 * mag;
        return Math.max(step, minStep);
    }

    /** The multiples of {@code step} within [lo, hi]. */
    private static double[] ticks(double lo, double hi, double step) {
        List<Double> out = new ArrayList<>();
        // k * step, not a running sum, so that rounding errors do not accumulate.
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
            out.add(k * step);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
