package lessismore.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.DHash;
import lessismore.signature.HashMethod;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The signature step of {@code reduce --strategy hash} for each imagehash 4.3 hash
 * ({@link HashMethod}): slices per second per thread for one kind × size on a real 512×512 8-bit
 * slice already in memory (decoding is measured by {@link DecodeHashBenchmark}). {@code dhash64}
 * is the published dHash path ({@link DHash#dhash64}) for comparison with {@code hash} at
 * kind=dhash, size=8.
 *
 * <p>Data: the middle decodable slice of ../shared/data/ct (or {@code -Dlessismore.ct=DIR}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class HashSignatureBenchmark {
    @Param({"dhash", "ahash", "phash", "whash"})
    public String kind;

    @Param({"8", "16"})
    public int size;

    HashMethod method;
    byte[] gray;
    int w;
    int h;

    @Setup
    public void load() throws IOException {
        Path ct = Paths.get(System.getProperty("lessismore.ct", "../shared/data/ct"));
        List<InputFile> files = new ArrayList<>();
        for (InputFile f : InputScanner.scan(ct)) {
            if (f.problem() == null && !f.path().getFileName().toString().equals("DIRFILE")) {
                files.add(f);
            }
        }
        SliceDecoder decoder = new SliceDecoder();
        for (int i = files.size() / 2; i < files.size() && gray == null; i++) {
            try {
                decoder.decodeSlice(files.get(i), 0);
            } catch (SkippedFileException e) {
                continue; // not an image: try the next file
            }
            decoder.to8Bit();
            w = decoder.width();
            h = decoder.height();
            gray = decoder.gray().clone();
        }
        if (gray == null) {
            throw new IllegalStateException("no decodable slice under " + ct.toAbsolutePath());
        }
        method = new HashMethod(HashMethod.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), size);
    }

    /** One hash of the slice through {@link HashMethod}. */
    @Benchmark
    public long[] hash() {
        return method.hash(gray, w, h);
    }

    /** The published dHash-8 path, the reference for {@code hash} at dhash-8. */
    @Benchmark
    public long dhash64() {
        return DHash.dhash64(gray, w, h);
    }
}
