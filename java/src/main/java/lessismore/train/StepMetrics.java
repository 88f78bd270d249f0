package lessismore.train;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code metrics.jsonl}: a JSON object per training step.
 *
 * @param step           steps completed, 1-based (the line of the step that checkpoint-{@code step} follows)
 * @param epoch          epoch of the step, 0-based
 * @param loss           NT-Xent loss of the step's batch, before its update
 * @param lr             learning rate the step used
 * @param imagesPerSecond source images per second over the step (each contributes two views),
 *                       including any wait for the data pipeline
 * @param seconds        training seconds since the run began (resumed runs continue the count)
 */
public record StepMetrics(long step, int epoch, double loss, double lr, double imagesPerSecond, double seconds) {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-+0-9.eEna]+|null)");

    /** The compact one-line JSON object (no trailing newline). */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"step\": %d, \"epoch\": %d, \"loss\": %s, \"lr\": %s, \"images_per_s\": %.2f, \"seconds\": %.3f}",
                step, epoch, number(loss), number(lr), imagesPerSecond, seconds);
    }

    /** Reads a line written by {@link #toJson()}. */
    public static StepMetrics parse(String line) {
        long step = -1;
        int epoch = 0;
        double loss = Double.NaN;
        double lr = 0;
        double rate = 0;
        double seconds = 0;
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String v = m.group(2);
            double d = v.equals("null") ? Double.NaN : Double.parseDouble(v);
            switch (m.group(1)) {
                case "step" -> step = (long) d;
                case "epoch" -> epoch = (int) d;
                case "loss" -> loss = d;
                case "lr" -> lr = d;
                case "images_per_s" -> rate = d;
                case "seconds" -> seconds = d;
                default -> { }
            }
        }
        if (step < 0) {
            throw new IllegalArgumentException("not a metrics line: " + line);
        }
        return new StepMetrics(step, epoch, loss, lr, rate, seconds);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Float.toString((float) v) : "null";
    }
}
