package lessismore.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lessismore.report.ReportModel.SliceView;
import lessismore.report.ReportModel.VolumeView;

/**
 * A deterministic sample of dropped near-duplicates with the kept slices they duplicate, for the
 * eye to check the threshold. Pairs across volumes (global rule) are the most surprising decisions,
 * so up to a quarter of the sample is reserved for them; the rest is spread over volumes (round
 * robin, so one large volume cannot fill it). Within each group the picks are spread evenly over
 * the score order. The sample is shown borderline first, where a wrong threshold shows.
 */
final class DropSample {
    /** How many pairs the report shows at most. */
    static final int MAX_PAIRS = 24;

    /**
     * A dropped slice and its reference.
     *
     * @param referenceVolume the reference's volume, or null when it is not in the model
     * @param reference       the kept slice, or null when it is not in the model
     */
    record Pair(VolumeView volume, SliceView dropped, VolumeView referenceVolume, SliceView reference) {
        /** Whether the reference lies in another volume (global rule). */
        boolean crossVolume() {
            return referenceVolume != volume;
        }

        /** The id of the reference's volume, also when that volume is not in the model. */
        String referenceVolumeId() {
            return referenceVolume == null ? dropped.referenceVolume() : referenceVolume.id();
        }
    }

    private DropSample() {
    }

    static List<Pair> of(List<VolumeView> volumes, boolean similarity) {
        Map<String, VolumeView> byId = new HashMap<>();
        volumes.forEach(v -> byId.putIfAbsent(v.id(), v));
        Comparator<Pair> byScore = Comparator.comparingDouble(p -> p.dropped().score());
        Comparator<Pair> alikeFirst = similarity ? byScore.reversed() : byScore;
        List<List<Pair>> perVolume = new ArrayList<>();
        List<List<Pair>> crossPerVolume = new ArrayList<>();
        List<Pair> cross = new ArrayList<>();
        for (VolumeView v : volumes) {
            List<Pair> same = new ArrayList<>();
            List<Pair> other = new ArrayList<>();
            for (SliceView s : v.slices()) {
                if ("dropped".equals(s.decision()) && s.referenceIndex() >= 0) {
                    Pair p = pair(v, s, byId);
                    (p.crossVolume() ? other : same).add(p);
                }
            }
            perVolume.add(same);
            crossPerVolume.add(other);
            cross.addAll(other);
        }
        // Stable sorts: equal scores stay in volume order, then slice order.
        cross.sort(alikeFirst);
        List<Pair> sample = new ArrayList<>(spread(cross, Math.min(cross.size(), MAX_PAIRS / 4)));
        Set<Pair> reserved = Collections.newSetFromMap(new IdentityHashMap<>());
        reserved.addAll(sample);
        // Cross-volume pairs not reserved compete like the others, under their own volume.
        for (int v = 0; v < perVolume.size(); v++) {
            for (Pair p : crossPerVolume.get(v)) {
                if (!reserved.contains(p)) {
                    perVolume.get(v).add(p);
                }
            }
        }
        perVolume.forEach(c -> c.sort(alikeFirst));
        int[] quota = quotas(perVolume, MAX_PAIRS - sample.size());
        for (int v = 0; v < quota.length; v++) {
            sample.addAll(spread(perVolume.get(v), quota[v]));
        }
        sample.sort(alikeFirst.reversed());
        return sample;
    }

    private static Pair pair(VolumeView v, SliceView s, Map<String, VolumeView> byId) {
        VolumeView rv = s.referenceVolume() == null ? v : byId.get(s.referenceVolume());
        SliceView r = rv != null && s.referenceIndex() < rv.slices().size()
                ? rv.slices().get(s.referenceIndex()) : null;
        return new Pair(v, s, rv, r);
    }

    /** {@code q} of the sorted {@code c}: the middle of each of q equal parts of its order. */
    private static List<Pair> spread(List<Pair> c, int q) {
        List<Pair> out = new ArrayList<>(q);
        for (int i = 0; i < q; i++) {
            out.add(c.get((int) ((i + 0.5) * c.size() / q)));
        }
        return out;
    }

    /** Hands out {@code left} places one at a time to each volume in turn while it has candidates. */
    private static int[] quotas(List<List<Pair>> candidates, int left) {
        int[] quota = new int[candidates.size()];
        boolean gave = true;
        while (left > 0 && gave) {
            gave = false;
            for (int v = 0; v < quota.length && left > 0; v++) {
                if (quota[v] < candidates.get(v).size()) {
                    quota[v]++;
                    left--;
                    gave = true;
                }
            }
        }
        return quota;
    }
}
