package lessismore.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import lessismore.output.Json;

/**
 * Writes the report of a {@code reduce} run: {@code report.html}, one self-contained page with
 * totals, per-volume reduction, thumbnails of every slice, a sample of dropped slices beside their
 * references and the score histogram; and {@code report.json}, the same numbers for scripts.
 * The same model always gives the same bytes.
 */
public final class Report {
    /** The page's file name. */
    public static final String HTML = "report.html";
    /** The numbers' file name. */
    public static final String JSON = "report.json";

    private Report() {
    }

    /**
     * Writes {@value #HTML} and {@value #JSON} into {@code dir}, replacing existing ones.
     *
     * @param m   the run to report
     * @param dir an existing directory
     * @throws IOException when a file cannot be written
     * @throws IllegalArgumentException when a slice has an unknown decision or a thumbnail's size
     *                                  does not match its pixels
     */
    public static void write(ReportModel m, Path dir) throws IOException {
        ReportData d = ReportData.of(m);
        Files.writeString(dir.resolve(JSON), Json.write(ReportJson.of(d)), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HTML), HtmlPage.render(d), StandardCharsets.UTF_8);
    }
}
