package lessismore.report;

import java.io.IOException;
import java.nio.file.Path;

/** Temporary: replaced by the report writer. */
public final class Report {
    private Report() {
    }

    /** Writes report.html and report.json into dir. */
    public static void write(ReportModel m, Path dir) throws IOException {
        java.nio.file.Files.writeString(dir.resolve("report.json"), lessismore.output.Json.write(m.summary()));
    }
}
