package lessismore.reduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lessismore.report.ReportModel;
import lessismore.signature.SignatureMethod;

/** Gathers a finished run's records into the report's model. */
final class ReportAssembler {
    private ReportAssembler() {
    }

    static ReportModel model(Map<String, Object> summary, List<Volume> volumes, Reducer.SelectionOutcome sel,
                             SignatureMethod<?> method, Double keepFraction, int thumbnailsOmitted) {
        ReportModel.Measure measure = null;
        if (method != null) {
            int n = sel.slices().size();
            long kept = sel.slices().stream().filter(r -> r.decision == SliceRecord.Decision.KEPT).count();
            measure = new ReportModel.Measure(method.name(),
                    method.direction() == SignatureMethod.Direction.SIMILARITY, sel.threshold(), keepFraction,
                    n == 0 ? 0 : (double) kept / n, sel.neighbourScores(),
                    sel.search() == null ? List.of() : sel.search().trace());
        }
        List<ReportModel.VolumeView> views = new ArrayList<>(volumes.size());
        for (Volume v : volumes) {
            List<ReportModel.SliceView> slices = new ArrayList<>(v.slices().size());
            for (SliceRecord r : v.slices()) {
                String decision = r.lowInformation ? "low-information" : r.decision.label();
                slices.add(new ReportModel.SliceView(r.sliceIndex, r.relativePath(), r.frames > 1 ? r.frame : -1,
                        decision, r.reason, r.referenceVolume, r.referenceSlice, r.score, r.thumbnail));
            }
            views.add(new ReportModel.VolumeView(v.id(), v.orderBasis(), slices));
        }
        return new ReportModel(summary, measure, views, thumbnailsOmitted);
    }
}
