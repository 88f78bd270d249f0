package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import lessismore.nn.StateDict;
import lessismore.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate} through the CLI on tiny generated class folders and CSVs. */
class EvaluateCommandTest {
    /**
     * 20 grey 16×16 PNGs per class under {@code root/<class>/}: "dark" images are a dim left half,
     * "light" ones a bright right half, with per-image noise, so raw pixels separate them.
     */
    private static List<String> images(Path root) throws Exception {
        List<String> rows = new ArrayList<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        for (String c : List.of("dark", "light")) {
            Files.createDirectories(root.resolve(c));
            for (int k = 0; k < 20; k++) {
                BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        boolean lit = c.equals("dark") ? x < 8 : x >= 8;
                        im.getRaster().setSample(x, y, 0, (lit ? 180 : 40) + r.nextInt(40));
                    }
                }
                String name = c + "/" + k + ".png";
                ImageIO.write(im, "png", root.resolve(name).toFile());
                rows.add(name + "," + c);
            }
        }
        return rows;
    }

    @Test
    void classFoldersGiveMetricsReportAndLeakWarning(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        images(data);
        Path out = tmp.resolve("out");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                "--size", "8", "--bootstrap", "50", "--threads", "1");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        assertTrue(r.stderr().contains("WARNING: no patient/group information"), r.stderr());
        assertTrue(r.stdout().contains("test AUC      1.0000"), r.stdout());
        String json = Files.readString(out.resolve("eval.json"));
        for (String s : List.of("\"warnings\": [", "slices of one patient may land in both train and test",
                "\"auc_ci95\"", "\"confusion_matrix_rows_true_columns_predicted\"", "\"roc_one_vs_rest\"",
                "\"train\": {\n      \"total\": 24", "raw pixels at 8x8")) {
            assertTrue(json.contains(s), s + " in\n" + json);
        }
        String html = Files.readString(out.resolve("eval.html"));
        assertTrue(html.contains("<svg") && html.contains("<polyline") && html.contains("Warning"), "report");
        String links = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(links.contains("http") || links.contains("<script"), "self-contained");
        // Same seed, same results: rerun over the previous output.
        r = ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(), "--size", "8",
                "--bootstrap", "50", "--threads", "1", "--overwrite", "--quiet");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        String again = Files.readString(out.resolve("eval.json"));
        assertEquals(json.substring(0, json.indexOf("\"seconds\"")), again.substring(0, again.indexOf("\"seconds\"")));
    }

    @Test
    void csvWithGroupsKeepsPatientsApartAndNoWarning(@TempDir Path tmp) throws Exception {
        List<String> rows = images(tmp);
        List<String> csv = new ArrayList<>(List.of("path,label,group"));
        for (int i = 0; i < rows.size(); i++) {
            csv.add(rows.get(i) + ",patient" + i / 2);
        }
        Files.write(tmp.resolve("labels.csv"), csv);
        Path out = tmp.resolve("out");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("evaluate", tmp.resolve("labels.csv").toString(),
                "--out", out.toString(), "--size", "8", "--bootstrap", "20", "--threads", "1", "--quiet");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
        String json = Files.readString(out.resolve("eval.json"));
        assertTrue(json.contains("\"warnings\": []") && json.contains("stratified by class, grouped"), json);
    }

    @Test
    void frozenCheckpointAndOnnxBackbones(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        images(data);
        Path checkpoint = tmp.resolve("checkpoint-0.safetensors");
        StateDict.of(Trainer.backbone("resnet18", 1)).save(checkpoint);
        Path onnx = Path.of(EvaluateCommandTest.class.getResource("/fixtures/onnx/tiny-encoder.onnx").toURI());
        for (Path backbone : List.of(checkpoint, onnx)) {
            Path out = tmp.resolve("out-" + backbone.getFileName());
            ReduceBadInputTest.Run r = ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                    "--size", "16", "--backbone", backbone.toString(), "--bootstrap", "20", "--threads", "1", "--quiet");
            assertEquals(ExitCodes.OK, r.code(), r.stderr());
            String json = Files.readString(out.resolve("eval.json"));
            assertTrue(json.contains(backbone == checkpoint ? "\"feature_dim\": 512" : "\"kind\": \"onnx\""), json);
        }
    }

    @Test
    void finetunesHeadThenWholeNetworkAndKeepsTheBestEpoch(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        images(data);
        Path out = tmp.resolve("out");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                "--protocol", "finetune", "--size", "16", "--head-epochs", "1", "--epochs", "1", "--bootstrap", "20",
                "--threads", "1");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        assertTrue(r.stderr().contains("epoch 1 (head)") && r.stderr().contains("epoch 2 (whole network)"), r.stderr());
        String json = Files.readString(out.resolve("eval.json"));
        assertTrue(json.contains("\"finetune\": {") && json.contains("\"best_epoch\"")
                && json.contains("ResNet-18 from scratch, seed 0"), json);
        assertTrue(Files.readString(out.resolve("eval.html")).contains("finetune protocol"));
    }

    @Test
    void refusesBadOptionsWritingNothing(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        images(data);
        Path out = tmp.resolve("out");
        ReduceBadInputTest.Run r = ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                "--protocol", "finetune", "--backbone", tmp.resolve("m.onnx").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.stderr().contains("finetune needs --backbone none or a .safetensors"), r.stderr());
        assertEquals(ExitCodes.BAD_INPUT, ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                "--split", "0.5,0.5").code());
        assertEquals(ExitCodes.BAD_INPUT, ReduceBadInputTest.cli("evaluate", data.toString(), "--out", out.toString(),
                "--backbone", tmp.resolve("x.pt").toString()).code());
        assertFalse(Files.exists(out));
    }
}
