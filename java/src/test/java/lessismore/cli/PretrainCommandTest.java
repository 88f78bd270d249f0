package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lessismore.TestData;
import lessismore.train.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reduce --export png}, then {@code pretrain} and {@code embed} on its kept slices, through the CLI. */
class PretrainCommandTest {
    @Test
    void pretrainOnRealKeptSlicesThenEmbedThem(@TempDir Path tmp) throws Exception {
        Path ct = TestData.sharedData().resolve("ct/ge-head-tilt");
        Path reduced = tmp.resolve("reduced");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("reduce", ct.toString(), "--out", reduced.toString(),
                "--export", "png", "--size", "64", "--no-report", "--quiet");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());

        Path run = tmp.resolve("run");
        r = ReduceBadInputTest.cli("pretrain", reduced.toString(), "--out", run.toString(), "--size", "32",
                "--steps", "2", "--batch", "4", "--threads", "2");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        assertTrue(r.stdout().contains("checkpoint: " + run.resolve("checkpoint-2.safetensors")), r.stdout());
        for (String f : List.of("checkpoint-2.safetensors", "checkpoint-2-head.safetensors",
                "checkpoint-2-optimizer.safetensors", "checkpoint-2.json", "metrics.jsonl", "report.html")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertTrue(metrics.get(1).startsWith("{\"step\": 2, \"epoch\": 0, \"loss\": "), metrics.get(1));
        String sidecar = Files.readString(run.resolve("checkpoint-2.json"));
        assertTrue(sidecar.contains("\"kind\": \"reduce manifest (kept slices)\"") && sidecar.contains("\"seed\": 0"),
                sidecar);
        String report = Files.readString(run.resolve("report.html"));
        assertTrue(report.contains("<svg") && report.contains("<polyline"), "inline charts");
        assertFalse(report.contains("http://") || report.contains("https://") || report.contains("<script"),
                "self-contained");
        try (var s = Files.list(run)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }

        Path emb = tmp.resolve("emb");
        r = ReduceBadInputTest.cli("embed", "--checkpoint", run.resolve("checkpoint-2.safetensors").toString(),
                reduced.toString(), "--out", emb.toString(), "--quiet");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        long kept = Files.readAllLines(reduced.resolve("manifest.csv")).stream().filter(l -> l.contains(",kept,"))
                .count();
        Npy.Array a = Npy.read(emb.resolve("embeddings.npy"));
        assertEquals(kept, a.rows());
        assertEquals(512, a.cols());
        List<String> csv = Files.readAllLines(emb.resolve("embeddings.csv"));
        assertEquals(kept + 1, csv.size());
        assertEquals(513, csv.get(1).split(",").length);
        assertEquals(a.data()[0], Float.parseFloat(csv.get(1).split(",")[1]));
    }

    @Test
    void badUsageWritesNothingAndExitsTwo(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path out = tmp.resolve("out");
        assertEquals(ExitCodes.BAD_INPUT, ReduceBadInputTest.cli("pretrain", data.toString(), "--out", out.toString(),
                "--epochs", "1", "--steps", "1").code());
        assertEquals(ExitCodes.BAD_INPUT, ReduceBadInputTest.cli("pretrain", data.toString(), "--out", out.toString(),
                "--arch", "vgg").code());
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("pretrain", data.toString(), "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.stderr().contains("no readable image"), r.stderr());
        assertFalse(Files.exists(out));
        r = ReduceBadInputTest.cli("embed", "--checkpoint", tmp.resolve("missing.safetensors").toString(),
                data.toString(), "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertFalse(Files.exists(out));
    }
}
