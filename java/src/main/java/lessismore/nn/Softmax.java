package lessismore.nn;

/** Row-wise softmax shared by the losses. */
final class Softmax {
    private Softmax() {
    }

    /**
     * Replaces each row of {@code scores} (rows, cols) by its softmax and returns each row's
     * log-sum-exp, computed stably (the row maximum subtracted before exp, the sum in double).
     */
    static double[] inPlace(float[] scores, int rows, int cols) {
        double[] logSumExp = new double[rows];
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, scores[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(scores[row + j] - max);
            }
            logSumExp[i] = max + Math.log(sum);
            for (int j = 0; j < cols; j++) {
                scores[row + j] = (float) Math.exp(scores[row + j] - logSumExp[i]);
            }
        }
        return logSumExp;
    }
}
