package lessismore.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.EmbeddingMethod;
import lessismore.signature.Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Signing throughput of {@code --strategy embedding} on 512×512 8-bit slices already in memory
 * (decode excluded: see {@link DecodeHashBenchmark}), in slices per second per thread:
 * {@code projection} is the default training-free encoder; {@code onnx-b1} and {@code onnx-b32}
 * run the tiny test encoder (java/src/test/resources/fixtures/onnx/tiny-encoder.onnx, 64×64
 * input, or {@code -Dlessismore.onnx=FILE}) on ONNX Runtime's CPU provider with batch 1 and 32,
 * LANCZOS resize included.
 *
 * <p>Data: the first 32 slices of ../shared/data/ct (or {@code -Dlessismore.ct=DIR}) that decode
 * to 512×512.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmbeddingBenchmark {
    /** Slices signed per benchmark call: one full batch of the batched encoder. */
    static final int SLICES = 32;

    /** The 8-bit slices and the signature method, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Encoder {
        @Param({"projection", "onnx-b1", "onnx-b32"})
        public String encoder;

        List<byte[]> slices;
        EmbeddingMethod method;

        @Setup
        public void load() throws IOException {
            Path ct = Paths.get(System.getProperty("lessismore.ct", "../shared/data/ct"));
            slices = new ArrayList<>();
            SliceDecoder decoder = new SliceDecoder();
            for (InputFile f : InputScanner.scan(ct)) {
                if (slices.size() == SLICES) {
                    break;
                }
                try {
                    decoder.decodeSlice(f, 0);
                } catch (SkippedFileException e) {
                    continue; // not an image (DICOMDIR)
                }
                if (decoder.width() == 512 && decoder.height() == 512) {
                    decoder.to8Bit();
                    slices.add(Arrays.copyOf(decoder.gray(), 512 * 512));
                }
            }
            if (slices.size() < SLICES) {
                throw new IllegalStateException("fewer than " + SLICES + " 512×512 slices under " + ct.toAbsolutePath());
            }
            Path model = Paths.get(System.getProperty("lessismore.onnx",
                    "java/src/test/resources/fixtures/onnx/tiny-encoder.onnx"));
            method = EmbeddingMethod.create(switch (encoder) {
                case "projection" -> EmbeddingMethod.Config.defaults();
                case "onnx-b1" -> new EmbeddingMethod.Config(model, 0, null, null, 1, false, 0);
                case "onnx-b32" -> new EmbeddingMethod.Config(model, 0, null, null, SLICES, false, 0);
                default -> throw new IllegalArgumentException(encoder);
            });
        }

        @TearDown
        public void close() {
            method.close();
        }
    }

    /** Per-thread signer. */
    @State(Scope.Thread)
    public static class Worker {
        Signer<float[]> signer;

        @Setup
        public void open(Encoder e) {
            signer = e.method.newSigner();
        }

        @TearDown(Level.Trial)
        public void close() {
            signer.close();
        }
    }

    /** Signs the 32 slices and flushes: 32 operations. */
    @Benchmark
    @OperationsPerInvocation(SLICES)
    public void sign(Encoder e, Worker w, Blackhole bh) {
        Consumer<float[]> sink = bh::consume;
        for (byte[] slice : e.slices) {
            w.signer.sign(slice, 512, 512, sink);
        }
        w.signer.flush();
    }
}
