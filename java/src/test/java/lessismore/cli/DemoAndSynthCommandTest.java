package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, {@code demo}, and {@code synth}, through the CLI. */
class DemoAndSynthCommandTest {
    @Test
    void demoWritesAStudyAndItsReductionAndCanRunAgain(@TempDir Path tmp) throws Exception {
        for (int run = 0; run < 2; run++) {
            ReduceBadInputTest.Run r = ReduceBadInputTest.cli("demo", "--dir", tmp.toString(), "--quiet");
            assertEquals(ExitCodes.OK, r.code(), r.stderr());
            assertTrue(r.stdout().contains("manifest: " + tmp.resolve("reduced/manifest.csv")), r.stdout());
            assertTrue(r.stdout().contains("summary:  " + tmp.resolve("reduced/summary.json")), r.stdout());
        }
        String summary = Files.readString(tmp.resolve("reduced/summary.json"));
        assertTrue(summary.contains("\"slices\": 126"), summary);
        assertTrue(Files.isDirectory(tmp.resolve("reduced/images")));
    }

    @Test
    void demoRefusesAFolderItDidNotWrite(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("study"));
        Files.writeString(tmp.resolve("study/mine.txt"), "keep");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("demo", "--dir", tmp.toString(), "--quiet");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("keep", Files.readString(tmp.resolve("study/mine.txt")));
    }

    @Test
    void synthRefusesNonEmptyFolderAndJsonSummaryIsMachineReadable(@TempDir Path tmp) throws Exception {
        Path study = tmp.resolve("s");
        assertEquals(ExitCodes.OK, ReduceBadInputTest.cli("synth", study.toString(), "--size", "64").code());
        assertEquals(ExitCodes.BAD_INPUT, ReduceBadInputTest.cli("synth", study.toString()).code());
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("reduce", study.toString(), "--out",
                tmp.resolve("o").toString(), "--json", "--strategy", "every-n", "--n", "4");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        assertTrue(r.stdout().startsWith("{") && r.stdout().contains("\"strategy\": \"every-n\""), r.stdout());
        assertEquals(Files.readString(tmp.resolve("o/summary.json")), r.stdout());
    }
}
