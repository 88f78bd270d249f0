package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import lessismore.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy and rule runs from the command line on each input kind (a DICOM series, a NIfTI
 * volume, a folder of PNG slices) and writes the same outputs: manifest, summary and report.
 */
class StrategiesEndToEndTest {
    /** A small real CNN exported by scripts/golden/make_embedding_fixture.py. */
    static final String TINY_ENCODER = Path.of("src/test/resources/fixtures/onnx/tiny-encoder.onnx")
            .toAbsolutePath().toString();

    @TempDir
    static Path tmp;
    static Path dicom;
    static Path nifti;
    static Path images;

    @BeforeAll
    static void inputs() throws Exception {
        Path data = TestData.sharedData();
        dicom = data.resolve("ct/philips-phantom-a");
        nifti = tmp.resolve("nifti");
        Files.createDirectories(nifti);
        Files.createSymbolicLink(nifti.resolve("example_ct_sm.nii.gz"), data.resolve("nifti/example_ct_sm.nii.gz"));
        // The PNG export of the DICOM series is a folder of 8-bit slices, as earlier scripts wrote them.
        Path exported = tmp.resolve("exported");
        assertEquals(0, run("reduce", dicom.toString(), "--out", exported.toString(), "--strategy", "all",
                "--export", "png", "--size", "128", "--no-report", "-q"));
        try (Stream<Path> s = Files.list(exported.resolve("images"))) {
            images = s.findFirst().orElseThrow();
        }
    }

    static int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        if (code != 0) {
            System.err.println(e);
        }
        return code;
    }

    static Stream<Arguments> cases() {
        List<String[]> strategies = List.of(
                new String[] {"--strategy", "hash"},
                new String[] {"--strategy", "hash", "--hash", "phash", "--hash-size", "16", "--rule", "global"},
                new String[] {"--strategy", "hash", "--hash", "ahash", "--rule", "consecutive"},
                new String[] {"--strategy", "hash", "--hash", "whash", "--keep-fraction", "0.5"},
                new String[] {"--strategy", "ssim"},
                new String[] {"--strategy", "mi", "--normalized", "--bins", "32", "--rule", "global"},
                new String[] {"--strategy", "mi", "--keep-fraction", "0.4", "--compare-size", "64"},
                new String[] {"--strategy", "embedding"},
                new String[] {"--strategy", "embedding", "--model", TINY_ENCODER, "--rule", "consecutive"},
                new String[] {"--strategy", "all", "--min-information", "entropy=2"},
                new String[] {"--strategy", "every-n", "--n", "3"});
        List<Arguments> out = new ArrayList<>();
        for (String kind : List.of("dicom", "nifti", "images")) {
            for (String[] s : strategies) {
                out.add(Arguments.of(kind, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void runsAndWritesEveryOutput(String kind, String[] strategy) throws Exception {
        Path in = switch (kind) {
            case "dicom" -> dicom;
            case "nifti" -> nifti;
            default -> images;
        };
        Path out = tmp.resolve("out-" + kind + "-" + String.join("_", strategy).replaceAll("[^a-z0-9_.=-]", ""));
        List<String> args = new ArrayList<>(List.of("reduce", in.toString(), "--out", out.toString(), "-q"));
        args.addAll(List.of(strategy));
        assertEquals(0, run(args.toArray(String[]::new)), kind + " " + String.join(" ", strategy));
        for (String f : List.of("manifest.csv", "summary.json", "report.html", "report.json")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> rows = Files.readAllLines(out.resolve("manifest.csv"));
        long kept = rows.stream().skip(1).filter(r -> r.contains(",kept,")).count();
        assertTrue(kept >= 1 && kept < rows.size() - 1 || String.join(" ", strategy).contains("all"),
                "kept " + kept + " of " + (rows.size() - 1));
    }
}
