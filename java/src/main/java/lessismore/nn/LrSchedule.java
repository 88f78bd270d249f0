package lessismore.nn;

/**
 * Learning rate per step: linear warm-up to the base rate, then cosine decay to 0, as SimCLR.
 * Steps count from 0; warm-up step s uses base·(s + 1)/warmup, so the first step already moves.
 */
public final class LrSchedule {
    private final double base;
    private final int warmupSteps;
    private final int totalSteps;

    /** A schedule over {@code totalSteps} steps, the first {@code warmupSteps} of them warming up. */
    public LrSchedule(double base, int warmupSteps, int totalSteps) {
        if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 ≤ warm-up ≤ total and total > 0");
        }
        this.base = base;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** The learning rate of step {@code step} (0-based); after the last step it stays 0. */
    public float at(int step) {
        if (step < warmupSteps) {
            return (float) (base * (step + 1) / warmupSteps);
        }
        int decaySteps = totalSteps - warmupSteps;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return (float) (base * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
