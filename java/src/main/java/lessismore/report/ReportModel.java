package lessismore.report;

import java.util.List;
import java.util.Map;

/**
 * Everything the {@code reduce} report shows, gathered by the pipeline after selection. The report
 * writer only formats it: no pixel decoding, no selection.
 *
 * @param summary            the content of summary.json (tool, version, parameters, totals, timings)
 * @param measure            the comparison used, or null for strategies without signatures
 *                           ({@code all}, {@code every-n})
 * @param volumes            the volumes in output order, each slice in anatomical order
 * @param thumbnailsOmitted  slices that have no thumbnail because the report's cap was reached
 */
public record ReportModel(Map<String, Object> summary, Measure measure, List<VolumeView> volumes,
                          int thumbnailsOmitted) {

    /**
     * How slices were compared and where the line was drawn.
     *
     * @param name                 signature method name, e.g. {@code dhash-8}, {@code ssim}
     * @param similarity           true when larger scores mean "alike" (SSIM, MI, cosine); false for
     *                             distances (Hamming)
     * @param threshold            the threshold applied (given, or found for a keep fraction)
     * @param keepFractionTarget   the fraction asked for with {@code --keep-fraction}, or null
     * @param keptFraction         the fraction of slices kept
     * @param neighbourScores      score of every slice against the previous slice of its volume
     *                             (n − volumes values), independent of the threshold: the histogram
     * @param thresholdSearch      for {@code --keep-fraction}: each threshold tried and the kept
     *                             fraction it gave, as {threshold, fraction} pairs; empty otherwise
     */
    public record Measure(String name, boolean similarity, double threshold, Double keepFractionTarget,
                          double keptFraction, double[] neighbourScores, List<double[]> thresholdSearch) {
    }

    /**
     * One volume.
     *
     * @param id         the volume id used in the manifest and export
     * @param orderBasis how its slices were ordered (e.g. "position along slice normal")
     * @param slices     its slices in order; slice i has {@code index == i}
     */
    public record VolumeView(String id, String orderBasis, List<SliceView> slices) {
    }

    /**
     * One slice and its decision.
     *
     * @param index           position in the volume (0-based)
     * @param file            input path relative to the input root
     * @param frame           frame within a multi-slice file, or -1
     * @param decision        "kept", "dropped" or "low-information"
     * @param reason          the manifest's reason text
     * @param referenceVolume for a dropped near-duplicate, the volume id of the kept slice it
     *                        duplicates (another volume only with the {@code global} rule); else null
     * @param referenceIndex  that slice's index in its volume, or -1
     * @param score           the distance or similarity to that reference, NaN when none
     * @param thumbnail       a small grey rendering of the preprocessed slice, or null when omitted
     */
    public record SliceView(int index, String file, int frame, String decision, String reason,
                            String referenceVolume, int referenceIndex, double score, Thumbnail thumbnail) {
    }

    /**
     * A thumbnail.
     *
     * @param width  width in pixels
     * @param height height in pixels
     * @param gray   width × height unsigned bytes, row-major
     */
    public record Thumbnail(int width, int height, byte[] gray) {
    }
}
