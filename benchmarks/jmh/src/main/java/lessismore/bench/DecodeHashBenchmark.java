package lessismore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.io.dicom.DicomReader;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.DHash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-slice hot path of {@code reduce --strategy hash}: read a 512×512 CT DICOM file from the
 * page cache, parse, decode, apply the published preprocessing and compute the dHash. Throughput is
 * slices per second per thread (run with {@code -t 2} for both cores). {@code hashOnly} isolates
 * the LANCZOS resize + dHash of an 8-bit image already in memory.
 *
 * <p>Data: the uncompressed slices of ../shared/data/ct (or {@code -Dlessismore.ct=DIR}); compressed
 * ones are measured per transfer syntax by {@link DicomDecodeBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeHashBenchmark {
    /** The slice files, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Slices {
        List<InputFile> files;

        @Setup
        public void load() throws IOException {
            Path ct = Paths.get(System.getProperty("lessismore.ct", "../shared/data/ct"));
            files = new ArrayList<>();
            SliceDecoder probe = new SliceDecoder();
            for (InputFile f : InputScanner.scan(ct)) {
                try {
                    byte[] bytes = Files.readAllBytes(f.path()); // into the page cache
                    if (DicomReader.parse(bytes, bytes.length).encapsulated()) {
                        continue; // compressed slices: see DicomDecodeBenchmark, per transfer syntax
                    }
                    probe.decodeSlice(f, 0);
                    files.add(f);
                } catch (SkippedFileException e) {
                    // Not an image (DICOMDIR): not part of this path.
                }
            }
            if (files.isEmpty()) {
                throw new IllegalStateException("no decodable slices under " + ct.toAbsolutePath());
            }
        }
    }

    /** Per-thread decoder and cursor over the files. */
    @State(Scope.Thread)
    public static class Worker {
        final SliceDecoder decoder = new SliceDecoder();
        int next;
        byte[] gray;
        int w;
        int h;

        @Setup
        public void prepare(Slices s) throws SkippedFileException {
            decoder.decodeSlice(s.files.get(0), 0);
            decoder.to8Bit();
            w = decoder.width();
            h = decoder.height();
            gray = decoder.gray().clone();
        }
    }

    /** Whole per-slice path: file → dHash. */
    @Benchmark
    public long decodeAndHash(Slices s, Worker w) throws SkippedFileException {
        InputFile f = s.files.get(w.next++ % s.files.size());
        w.decoder.decodeSlice(f, 0);
        return w.decoder.dhash64();
    }

    /** LANCZOS 512×512 → 9×8 and the 64 comparisons only. */
    @Benchmark
    public long hashOnly(Worker w) {
        return DHash.dhash64(w.gray, w.w, w.h);
    }
}
