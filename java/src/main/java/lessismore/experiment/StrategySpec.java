package lessismore.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One arm of the experiment, written {@code NAME[:KEY=VALUE[,KEY=VALUE...]]}: a reduce strategy
 * ({@code all}, {@code every-n:n=3}, {@code hash:t=6}, {@code hash:keep=0.3}, {@code ssim:t=0.8},
 * {@code mi}, {@code embedding}) or {@code none}, the baseline without pre-training. Keys become
 * reduce options: {@code t} is {@code --threshold}, {@code keep} is {@code --keep-fraction}, any
 * other key {@code k} is {@code --k}.
 *
 * @param spec       the text as given
 * @param strategy   the reduce strategy, or {@code none}
 * @param reduceArgs the reduce options the keys stand for
 */
public record StrategySpec(String spec, String strategy, List<String> reduceArgs) {
    /** The baseline that evaluates without a pre-trained backbone. */
    public static final String NONE = "none";

    /**
     * Parses {@code spec}.
     *
     * @throws IllegalArgumentException when it is not {@code NAME[:KEY=VALUE,...]}
     */
    public static StrategySpec parse(String spec) {
        String text = spec.trim();
        int colon = text.indexOf(':');
        String name = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("--strategy " + spec + ": expected NAME[:KEY=VALUE,...], e.g. hash:t=6");
        }
        List<String> args = new ArrayList<>();
        if (colon >= 0) {
            for (String pair : text.substring(colon + 1).split(",")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? "" : pair.substring(0, eq).trim();
                if (!key.matches("[a-z][a-z0-9-]*") || eq == pair.length() - 1) {
                    throw new IllegalArgumentException("--strategy " + spec + ": '" + pair + "' is not KEY=VALUE");
                }
                args.add(switch (key) {
                    case "t" -> "--threshold";
                    case "keep" -> "--keep-fraction";
                    default -> "--" + key;
                });
                args.add(pair.substring(eq + 1).trim());
            }
        }
        if (name.equals(NONE) && !args.isEmpty()) {
            throw new IllegalArgumentException("--strategy none takes no options");
        }
        return new StrategySpec(text, name, List.copyOf(args));
    }

    /** True for the baseline without pre-training. */
    public boolean isBaseline() {
        return strategy.equals(NONE);
    }

    /** A folder name for this arm: the spec with ':' as '_' and ',' as '+' (kept readable, unique per spec). */
    public String cellName() {
        return spec.toLowerCase(Locale.ROOT).replace(':', '_').replace(',', '+').replaceAll("[^a-z0-9._=+-]", "-");
    }
}
