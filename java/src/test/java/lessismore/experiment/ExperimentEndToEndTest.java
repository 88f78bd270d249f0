package lessismore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import lessismore.TestData;
import lessismore.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny experiment through the CLI (40 real CT slices, 30 real downstream images, 16 px, one
 * step): every output is written, a second run redoes nothing, a changed configuration is refused.
 */
class ExperimentEndToEndTest {
    private record Run(int code, String stdout, String stderr) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Copies the first {@code n} files (by name) of {@code from} into {@code to}. */
    private static void copy(Path from, Path to, int n) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().limit(n).toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }

    private static String[] args(Path ct, Path ds, Path out, String steps) {
        return new String[] {"experiment", "--pretrain-data", ct.toString(), "--downstream", ds.toString(),
            "--out", out.toString(), "--strategy", "every-n:n=3", "--strategy", "hash:t=6", "--budget", "steps",
            "--steps", steps, "--batch", "8", "--size", "16", "--eval-size", "16", "--bootstrap", "20",
            "--threads", "1"};
    }

    /** Modification time of every file under {@code root}, by relative path. */
    private static Map<String, FileTime> times(Path root) throws IOException {
        Map<String, FileTime> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.getLastModifiedTime(p));
            }
        }
        return m;
    }

    @Test
    void runsEveryCellOnceAndRefusesAChangedConfiguration(@TempDir Path tmp) throws Exception {
        Path shared = TestData.sharedData();
        Path ct = tmp.resolve("ct");
        copy(shared.resolve("ct/chest-phase00"), ct, 40);
        Path ds = tmp.resolve("downstream");
        for (String c : List.of("benign", "malignant", "normal")) {
            copy(shared.resolve("classification/iq-othnccd").resolve(c), ds.resolve(c), 10);
        }
        Path out = tmp.resolve("out");

        Run first = cli(args(ct, ds, out, "1"));
        assertEquals(0, first.code(), first.stderr());
        assertTrue(first.stdout().contains("10 cell(s) run"), first.stdout());

        String config = Files.readString(out.resolve("experiment.json"));
        for (String s : List.of(
                "\"strategies\": [\n    \"none\",\n    \"all\",\n    \"every-n:n=3\",\n    \"hash:t=6\"",
                "\"budget\": \"steps\"", "\"steps\": 1", "\"protocol\": \"linear\"")) {
            assertTrue(config.contains(s), s + " in\n" + config);
        }
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("strategy,slices_kept,kept_fraction,pretrain_seconds,images_per_s,downstream_auc,"
                + "downstream_auc_ci95_low,downstream_auc_ci95_high,downstream_accuracy", csv.get(0));
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("none,0,,,,0."), csv.get(1));
        assertTrue(csv.get(2).startsWith("all,40,1.000000,"), csv.get(2));
        assertTrue(csv.get(3).startsWith("every-n:n=3,14,0.350000,"), csv.get(3));
        for (String row : csv.subList(1, 5)) {
            String[] f = row.split(",");
            double auc = Double.parseDouble(f[5]);
            assertTrue(auc >= 0 && auc <= 1 && Double.parseDouble(f[6]) <= auc && auc <= Double.parseDouble(f[7]), row);
        }
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| none (no pre-training) | - |"), md);
        assertTrue(md.contains("| downstream AUC [95% CI] | downstream accuracy |"), md);
        String html = Files.readString(out.resolve("results.html"));
        for (String s : List.of("<table>", "class=\"best\"", "<svg", "<circle", "stroke-dasharray", "hash:t=6")) {
            assertTrue(html.contains(s), s);
        }
        assertFalse(html.contains("<script") || html.contains("src=\"http"), "self-contained");
        for (String cell : List.of("all", "every-n_n=3", "hash_t=6")) {
            for (String marker : List.of("reduce", "pretrain", "eval-downstream")) {
                assertTrue(Files.isRegularFile(out.resolve("cells").resolve(cell).resolve(marker + ".done.json")),
                        cell + "/" + marker);
            }
        }
        assertTrue(Files.isRegularFile(out.resolve("cells/none/eval-downstream.done.json")));
        assertFalse(Files.exists(out.resolve("cells/none/pretrain")));

        Map<String, FileTime> before = times(out.resolve("cells"));
        Run again = cli(args(ct, ds, out, "1"));
        assertEquals(0, again.code(), again.stderr());
        assertTrue(again.stdout().contains("0 cell(s) run"), again.stdout());
        assertTrue(again.stderr().contains("hash:t=6: pretrain already done"), again.stderr());
        assertEquals(before, times(out.resolve("cells")), "nothing redone");
        assertEquals(csv, Files.readAllLines(out.resolve("results.csv")));

        Run changed = cli(args(ct, ds, out, "2"));
        assertEquals(2, changed.code());
        assertTrue(changed.stderr().contains("holds an experiment with another configuration"), changed.stderr());
        assertEquals(config, Files.readString(out.resolve("experiment.json")));
        assertEquals(before, times(out.resolve("cells")), "nothing touched");

        // A pre-training that stopped after its last checkpoint, before its marker, resumes from it.
        Path all = out.resolve("cells/all");
        Files.delete(all.resolve("pretrain.done.json"));
        Run resumed = cli(args(ct, ds, out, "1"));
        assertEquals(0, resumed.code(), resumed.stderr());
        assertTrue(resumed.stdout().contains("1 cell(s) run"), resumed.stdout());
        assertEquals(before.get("all/pretrain/checkpoint-1.safetensors"),
                Files.getLastModifiedTime(all.resolve("pretrain/checkpoint-1.safetensors")), "not trained again");
        assertEquals(1, Files.readAllLines(all.resolve("pretrain/metrics.jsonl")).size());
        assertEquals(csv, Files.readAllLines(out.resolve("results.csv")));
    }
}
