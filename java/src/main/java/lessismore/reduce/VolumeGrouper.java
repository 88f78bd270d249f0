package lessismore.reduce;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lessismore.io.SkipReason;

/**
 * Groups decoded slices into volumes and orders each volume.
 *
 * <p>Grouping: by SeriesInstanceUID; when that is empty, by folder and StudyInstanceUID. Within a
 * series, slices whose size differs from the most common size (scouts, localizers, secondary
 * captures) are skipped as inconsistent.
 *
 * <p>Anatomical order: Image Position (Patient) projected on the slice normal, the cross product of
 * the row and column direction cosines of Image Orientation (Patient). That is right for gantry
 * tilt (the normal is not the z axis) and for uneven gaps (only the order matters). Without
 * position or orientation on every slice, Instance Number; without that, file name.
 */
public final class VolumeGrouper {
    /** How slices within a volume are ordered. */
    public enum Order {
        /** By position along the slice normal (fallbacks: instance number, file name). */
        ANATOMICAL,
        /** By relative path, as the published scripts did. */
        FILENAME
    }

    /** File name order: relative path, then slice index within the file. */
    private static final Comparator<SliceRecord> BY_PATH =
            Comparator.comparing(SliceRecord::relativePath).thenComparingInt(SliceRecord::frame);

    private VolumeGrouper() {
    }

    /**
     * Groups {@code records} that are not skipped; sets volume id, slice index and position on each
     * and marks size outliers as skipped.
     */
    public static List<Volume> group(List<SliceRecord> records, Order order) {
        Map<String, List<SliceRecord>> bySeries = new LinkedHashMap<>();
        for (SliceRecord r : records) {
            if (r.decision == SliceRecord.Decision.SKIPPED) {
                continue;
            }
            String key = r.seriesUid.isEmpty() ? "folder:" + folder(r) + "|" + r.studyUid : r.seriesUid;
            bySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<Volume> volumes = new ArrayList<>();
        Map<String, Integer> idCounts = new HashMap<>();
        for (Map.Entry<String, List<SliceRecord>> e : bySeries.entrySet()) {
            List<SliceRecord> slices = dropSizeOutliers(e.getValue());
            String id = volumeId(slices.getFirst(), e.getKey());
            int seen = idCounts.merge(id, 1, Integer::sum);
            if (seen > 1) {
                id = id + "-" + seen;
            }
            String basis = order == Order.FILENAME ? "file-name" : sortAnatomically(slices);
            if (order == Order.FILENAME) {
                slices.sort(BY_PATH);
                computePositions(slices);
            }
            for (int i = 0; i < slices.size(); i++) {
                slices.get(i).volumeId = id;
                slices.get(i).sliceIndex = i;
            }
            volumes.add(new Volume(id, List.copyOf(slices), basis));
        }
        volumes.sort(Comparator.comparing(Volume::id));
        return volumes;
    }

    private static List<SliceRecord> dropSizeOutliers(List<SliceRecord> slices) {
        Map<Long, Integer> sizes = new HashMap<>();
        for (SliceRecord r : slices) {
            sizes.merge((long) r.rows << 32 | r.columns, 1, Integer::sum);
        }
        if (sizes.size() == 1) {
            return new ArrayList<>(slices);
        }
        long common = sizes.entrySet().stream()
                .max(Map.Entry.<Long, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow().getKey();
        int commonRows = (int) (common >>> 32);
        int commonCols = (int) common;
        List<SliceRecord> kept = new ArrayList<>();
        for (SliceRecord r : slices) {
            if (r.rows == commonRows && r.columns == commonCols) {
                kept.add(r);
            } else {
                r.skip(SkipReason.INCONSISTENT, "image size " + r.columns + "x" + r.rows
                        + " differs from the rest of its series (" + commonCols + "x" + commonRows + ")");
            }
        }
        return kept;
    }

    /** Sorts in place and returns the basis used. */
    private static String sortAnatomically(List<SliceRecord> slices) {
        Comparator<SliceRecord> byInstance = Comparator.comparing(
                (SliceRecord r) -> r.instanceNumber, Comparator.nullsLast(Comparator.naturalOrder()));
        Comparator<SliceRecord> tieBreak = byInstance.thenComparing(BY_PATH);
        double[] normal = computePositions(slices);
        if (normal != null) {
            slices.sort(Comparator.comparingDouble((SliceRecord r) -> r.positionMm).thenComparing(tieBreak));
            return "position";
        }
        if (slices.stream().allMatch(r -> r.instanceNumber != null)) {
            slices.sort(tieBreak);
            return "instance-number";
        }
        slices.sort(BY_PATH);
        return "file-name";
    }

    /**
     * Sets {@code positionMm} from the first slice's normal when every slice has position and
     * orientation; returns that normal, or null (positions left NaN).
     */
    private static double[] computePositions(List<SliceRecord> slices) {
        double[] normal = null;
        for (SliceRecord r : slices) {
            if (r.position == null || r.orientation == null) {
                return null;
            }
            if (normal == null) {
                normal = normal(r.orientation);
                if (normal == null) {
                    return null;
                }
            }
        }
        for (SliceRecord r : slices) {
            double[] p = r.position;
            r.positionMm = p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
        }
        return normal;
    }

    /** Unit normal of a slice from its 6 direction cosines, or null when they are degenerate. */
    static double[] normal(double[] iop) {
        double nx = iop[1] * iop[5] - iop[2] * iop[4];
        double ny = iop[2] * iop[3] - iop[0] * iop[5];
        double nz = iop[0] * iop[4] - iop[1] * iop[3];
        double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (!(len > 1e-6)) {
            return null;
        }
        return new double[] {nx / len, ny / len, nz / len};
    }

    private static String folder(SliceRecord r) {
        String rel = r.relativePath();
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    /**
     * "chest-phase00-3fa2c1d9": the folder (or the file's label, for a NIfTI volume), made safe for
     * file names, and a hash of the series key.
     */
    private static String volumeId(SliceRecord first, String seriesKey) {
        String base = first.volumeLabel != null ? first.volumeLabel : folder(first);
        String folder = base.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (folder.isEmpty()) {
            folder = "volume";
        } else if (folder.length() > 60) {
            folder = folder.substring(folder.length() - 60);
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(seriesKey.getBytes(StandardCharsets.UTF_8));
            return folder + "-" + String.format("%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
