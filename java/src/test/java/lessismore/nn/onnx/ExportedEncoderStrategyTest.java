package lessismore.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import lessismore.nn.ResNet;
import lessismore.signature.EmbeddingMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backbone we export is an encoder the {@code embedding} strategy can use as it is: input size
 * and normalization come from the metadata our exporter writes.
 */
class ExportedEncoderStrategyTest {
    @Test
    void embeddingStrategyReadsOurExportMetadata(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("backbone.onnx");
        OnnxExporter.export(ResNet.resnet18(1, 0, 21), "resnet18", null,
                new OnnxExporter.InputSpec(48, new float[] {0.25f}, new float[] {0.5f}), model);
        try (EmbeddingMethod m = EmbeddingMethod.create(EmbeddingMethod.Config.onnx(model))) {
            Map<String, Object> p = m.parameters();
            assertEquals(48, p.get("input_size"));
            assertEquals("metadata", p.get("normalization"));
            assertArrayEquals(new float[] {0.25f}, toFloats(p.get("mean")));
            assertArrayEquals(new float[] {0.5f}, toFloats(p.get("std")));
            assertEquals(512, p.get("dimension"));
        }
    }

    private static float[] toFloats(Object o) {
        if (o instanceof float[] f) {
            return f;
        }
        java.util.List<?> l = (java.util.List<?>) o;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).floatValue();
        }
        return out;
    }
}
