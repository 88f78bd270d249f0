package lessismore.reduce;

import java.util.List;

/**
 * The slices of one series in the order selection walks them.
 *
 * @param id         derived id (folder and a hash of the series UID; never patient data)
 * @param slices     usable slices in order; skipped ones are not included
 * @param orderBasis how they were ordered: "position", "instance-number" or "file-name"
 */
public record Volume(String id, List<SliceRecord> slices, String orderBasis) {
}
